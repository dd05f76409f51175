// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title MCopy
/// @notice MCOPY (EIP-5656): memmove semantics for overlapping ranges, zero-length copies.
contract MCopy {
    /// Copies `data` to memory, then MCOPYs `len` bytes from offset `src` to offset `dst`
    /// within it (ranges may overlap), and returns the buffer.
    function copyWithin(bytes calldata data, uint256 dst, uint256 src, uint256 len)
        external
        pure
        returns (bytes memory out)
    {
        out = data;
        require(dst + len <= out.length && src + len <= out.length, "MCopy: out of range");
        assembly {
            let base := add(out, 32)
            mcopy(add(base, dst), add(base, src), len)
        }
    }

    /// "0123456789abcdef" with bytes 0..8 copied to 2..10: "0101234567abcdef".
    function overlapForward() external pure returns (bytes memory out) {
        out = bytes("0123456789abcdef");
        assembly {
            let base := add(out, 32)
            mcopy(add(base, 2), base, 8)
        }
    }

    /// "0123456789abcdef" with bytes 2..10 copied to 0..8: "2345678989abcdef".
    function overlapBackward() external pure returns (bytes memory out) {
        out = bytes("0123456789abcdef");
        assembly {
            let base := add(out, 32)
            mcopy(base, add(base, 2), 8)
        }
    }

    /// A zero-length MCOPY with arbitrary offsets: a no-op that touches no memory, so any
    /// offsets succeed. Returns true.
    function zeroLengthCopy(uint256 dst, uint256 src) external pure returns (bool) {
        assembly {
            mcopy(dst, src, 0)
        }
        return true;
    }
}
