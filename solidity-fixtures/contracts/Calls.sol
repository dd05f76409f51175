// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Caller
/// @notice CALL / STATICCALL / DELEGATECALL to any target with any calldata, value and gas
/// (FEVM.md §3.2, §3.5): accounts, placeholders, missing f410 and masked-ID addresses, native
/// actors, precompiles, read-only contexts, the 0 / 2300 gas special cases. Each
/// state-changing variant also emits `CallResult`, so a transaction's outcome is visible in its
/// logs.
contract Caller {
    event CallResult(bool ok, bytes returnData);

    receive() external payable {}

    /// CALL `target` with `data` and `value` (taken from this contract's balance), all gas.
    function callTarget(address target, bytes calldata data, uint256 value)
        external
        payable
        returns (bool ok, bytes memory returnData)
    {
        (ok, returnData) = target.call{value: value}(data);
        emit CallResult(ok, returnData);
    }

    /// CALL with an explicit gas limit (FEVM turns 0-with-value and 2300-without-value into 10M).
    function callTargetWithGas(address target, bytes calldata data, uint256 value, uint256 gasLimit)
        external
        payable
        returns (bool ok, bytes memory returnData)
    {
        (ok, returnData) = target.call{value: value, gas: gasLimit}(data);
        emit CallResult(ok, returnData);
    }

    /// STATICCALL: the callee runs read-only (writes, logs, value sends abort with exit 25).
    function staticcallTarget(address target, bytes calldata data)
        external
        view
        returns (bool ok, bytes memory returnData)
    {
        (ok, returnData) = target.staticcall(data);
    }

    /// DELEGATECALL: `target`'s code runs on this contract's storage and balance.
    function delegatecallTarget(address target, bytes calldata data)
        external
        payable
        returns (bool ok, bytes memory returnData)
    {
        (ok, returnData) = target.delegatecall(data);
        emit CallResult(ok, returnData);
    }
}
