// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Clz
/// @notice CLZ (opcode 0x1e, EIP-7939 / FIP-0114): count leading zero bits; clz(0) = 256.
/// solc only accepts `clz` for Osaka, so this file alone is compiled with evmVersion "osaka"
/// (compile/compile.mjs). Nothing else in it needs more than Cancun.
contract Clz {
    function clz(uint256 x) external pure returns (uint256 r) {
        assembly {
            r := clz(x)
        }
    }
}
