// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Compute
/// @notice Deterministic compute- and storage-heavy functions for benchmarks.
contract Compute {
    mapping(uint256 slot => uint256) public slots;

    /// keccak256 chained `n` times, starting from `seed`.
    function hashLoop(bytes32 seed, uint256 n) external pure returns (bytes32 h) {
        h = seed;
        for (uint256 i = 0; i < n; i++) {
            h = keccak256(abi.encodePacked(h));
        }
    }

    /// `n` rounds of a 64-bit LCG step mixed with xorshifts, from `seed`.
    function arith(uint256 seed, uint256 n) external pure returns (uint256 x) {
        x = seed;
        unchecked {
            for (uint256 i = 0; i < n; i++) {
                x = x * 6364136223846793005 + 1442695040888963407;
                x ^= x >> 29;
                x ^= x << 17;
                x = x % (2 ** 255 - 19) + i;
            }
        }
    }

    /// Iterative Fibonacci modulo 2^256.
    function fib(uint256 n) external pure returns (uint256 a) {
        uint256 b = 1;
        unchecked {
            for (uint256 i = 0; i < n; i++) {
                (a, b) = (b, a + b);
            }
        }
    }

    /// Writes `slots[start + i] = value + i` for i < n: n storage writes.
    function storeMany(uint256 start, uint256 n, uint256 value) external {
        for (uint256 i = 0; i < n; i++) {
            slots[start + i] = value + i;
        }
    }

    /// Sums `slots[start .. start + n)`: n storage reads.
    function sumMany(uint256 start, uint256 n) external view returns (uint256 total) {
        for (uint256 i = 0; i < n; i++) {
            total += slots[start + i];
        }
    }
}
