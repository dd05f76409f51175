// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title EthPrecompiles
/// @notice Calls the Ethereum precompiles FEVM provides (FEVM.md §2.2). Every wrapper uses
/// STATICCALL and returns the raw `(ok, output)`, so tests see FEVM's exact behaviour: failures
/// that return empty output (ecrecover, P256VERIFY), the empty success of KZG 0x0a, and so on.
contract EthPrecompiles {
    address internal constant ECRECOVER = address(0x01);
    address internal constant SHA256 = address(0x02);
    address internal constant RIPEMD160 = address(0x03);
    address internal constant IDENTITY = address(0x04);
    address internal constant MODEXP = address(0x05);
    address internal constant BN256_ADD = address(0x06);
    address internal constant BN256_MUL = address(0x07);
    address internal constant BN256_PAIRING = address(0x08);
    address internal constant BLAKE2F = address(0x09);
    address internal constant KZG_POINT_EVALUATION = address(0x0a);
    address internal constant BLS12_G1ADD = address(0x0b);
    address internal constant BLS12_G1MSM = address(0x0c);
    address internal constant BLS12_G2ADD = address(0x0d);
    address internal constant BLS12_G2MSM = address(0x0e);
    address internal constant BLS12_PAIRING_CHECK = address(0x0f);
    address internal constant BLS12_MAP_FP_TO_G1 = address(0x10);
    address internal constant BLS12_MAP_FP2_TO_G2 = address(0x11);
    address internal constant P256VERIFY = address(0x100);

    // ---- generic ---------------------------------------------------------------------------

    /// STATICCALL `precompile` with `input`.
    function callPrecompile(address precompile, bytes memory input) public view returns (bool ok, bytes memory output) {
        (ok, output) = precompile.staticcall(input);
    }

    /// CALL `precompile` with `input` and `msg.value` (the value ends up at the precompile's
    /// f410 address on FEVM).
    function callPrecompileWithValue(address precompile, bytes calldata input)
        external
        payable
        returns (bool ok, bytes memory output)
    {
        (ok, output) = precompile.call{value: msg.value}(input);
    }

    /// DELEGATECALL `precompile` with `input`.
    function delegatecallPrecompile(address precompile, bytes calldata input)
        external
        returns (bool ok, bytes memory output)
    {
        (ok, output) = precompile.delegatecall(input);
    }

    // ---- Solidity built-ins ----------------------------------------------------------------

    /// Solidity's `ecrecover` (address(0) when the precompile returns nothing).
    function ecrecoverBuiltin(bytes32 hash, uint8 v, bytes32 r, bytes32 s) external pure returns (address) {
        return ecrecover(hash, v, r, s);
    }

    function sha256Builtin(bytes calldata data) external pure returns (bytes32) {
        return sha256(data);
    }

    function ripemd160Builtin(bytes calldata data) external pure returns (bytes20) {
        return ripemd160(data);
    }

    // ---- named wrappers (0x01 - 0x0a) ------------------------------------------------------

    function ecRecover(bytes32 hash, uint8 v, bytes32 r, bytes32 s) external view returns (bool ok, bytes memory output) {
        return callPrecompile(ECRECOVER, abi.encode(hash, v, r, s));
    }

    function sha256Raw(bytes calldata data) external view returns (bool ok, bytes memory output) {
        return callPrecompile(SHA256, data);
    }

    function ripemd160Raw(bytes calldata data) external view returns (bool ok, bytes memory output) {
        return callPrecompile(RIPEMD160, data);
    }

    function identity(bytes calldata data) external view returns (bool ok, bytes memory output) {
        return callPrecompile(IDENTITY, data);
    }

    /// EIP-198 modexp: base^exponent mod modulus, lengths taken from the arguments.
    function modexp(bytes calldata base, bytes calldata exponent, bytes calldata modulus)
        external
        view
        returns (bool ok, bytes memory output)
    {
        return callPrecompile(
            MODEXP, abi.encodePacked(base.length, exponent.length, modulus.length, base, exponent, modulus)
        );
    }

    function bn256Add(uint256 ax, uint256 ay, uint256 bx, uint256 by)
        external
        view
        returns (bool ok, bytes memory output)
    {
        return callPrecompile(BN256_ADD, abi.encode(ax, ay, bx, by));
    }

    function bn256Mul(uint256 x, uint256 y, uint256 scalar) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BN256_MUL, abi.encode(x, y, scalar));
    }

    /// `input` is a sequence of 192-byte (G1, G2) pairs.
    function bn256Pairing(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BN256_PAIRING, input);
    }

    /// EIP-152 blake2f with its 213-byte input assembled from the parts.
    function blake2f(uint32 rounds, bytes32[2] calldata h, bytes32[4] calldata m, bytes8[2] calldata t, bool finalBlock)
        external
        view
        returns (bool ok, bytes memory output)
    {
        return callPrecompile(
            BLAKE2F, abi.encodePacked(rounds, h[0], h[1], m[0], m[1], m[2], m[3], t[0], t[1], finalBlock)
        );
    }

    /// KZG point evaluation: not supported on FEVM, where the reserved slot succeeds empty.
    function kzgPointEvaluation(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(KZG_POINT_EVALUATION, input);
    }

    // ---- BLS12-381 (EIP-2537, 0x0b - 0x11) -------------------------------------------------

    function blsG1Add(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_G1ADD, input);
    }

    function blsG1Msm(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_G1MSM, input);
    }

    function blsG2Add(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_G2ADD, input);
    }

    function blsG2Msm(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_G2MSM, input);
    }

    function blsPairingCheck(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_PAIRING_CHECK, input);
    }

    function blsMapFpToG1(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_MAP_FP_TO_G1, input);
    }

    function blsMapFp2ToG2(bytes calldata input) external view returns (bool ok, bytes memory output) {
        return callPrecompile(BLS12_MAP_FP2_TO_G2, input);
    }

    // ---- P256VERIFY (0x100) ----------------------------------------------------------------

    /// Returns a 32-byte 1 for a valid signature, empty output otherwise (never reverts).
    function p256Verify(bytes32 hash, bytes32 r, bytes32 s, bytes32 x, bytes32 y)
        external
        view
        returns (bool ok, bytes memory output)
    {
        return callPrecompile(P256VERIFY, abi.encode(hash, r, s, x, y));
    }
}
