// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Reverter
/// @notice Every way a Solidity call can fail. On FEVM a REVERT exits with code 33 and the revert
/// bytes as return data; INVALID exits with 34; stack overflow with 37; an out-of-range memory
/// or return-data access with 38; running out of gas with 7.
contract Reverter {
    error CustomError(uint256 code, address sender, string message);
    error EmptyCustomError();

    uint256 public value;

    function set(uint256 newValue) external {
        value = newValue;
    }

    /// Stores `newValue`, then reverts: `value` must be unchanged afterwards.
    function setThenRevert(uint256 newValue) external {
        value = newValue;
        revert("Reverter: rolled back");
    }

    /// Reverts with `Error(string)`.
    function revertWithMessage(string calldata message) external pure {
        revert(message);
    }

    /// Reverts with `CustomError(code, msg.sender, "custom")`.
    function revertWithCustomError(uint256 code) external view {
        revert CustomError(code, msg.sender, "custom");
    }

    function revertWithEmptyCustomError() external pure {
        revert EmptyCustomError();
    }

    /// Reverts with exactly `data` as revert bytes (any length, no ABI wrapping).
    function revertWithRawData(bytes calldata data) external pure {
        bytes memory d = data;
        assembly {
            revert(add(d, 32), mload(d))
        }
    }

    /// `revert()` with empty revert data.
    function bareRevert() external pure {
        revert();
    }

    function requireWithMessage(bool ok) external pure returns (bool) {
        require(ok, "Reverter: require failed");
        return true;
    }

    function requireWithoutMessage(bool ok) external pure returns (bool) {
        require(ok);
        return true;
    }

    function requireWithCustomError(bool ok) external view returns (bool) {
        require(ok, CustomError(1, msg.sender, "require"));
        return true;
    }

    /// `assert(false)`: Panic(0x01).
    function panicAssert() external pure {
        assert(false);
    }

    /// `100 / divisor`: Panic(0x12) when `divisor` is 0.
    function panicDivisionByZero(uint256 divisor) external pure returns (uint256) {
        return 100 / divisor;
    }

    /// Indexes a 3-element memory array: Panic(0x32) when `index >= 3`.
    function panicArrayOutOfBounds(uint256 index) external pure returns (uint256) {
        uint256[3] memory items = [uint256(10), 20, 30];
        return items[index];
    }

    /// `type(uint256).max + x`: Panic(0x11) when `x > 0`.
    function panicOverflow(uint256 x) external pure returns (uint256) {
        return type(uint256).max + x;
    }

    /// The INVALID opcode 0xfe (FEVM exit 34).
    function invalidOpcode() external pure {
        assembly {
            invalid()
        }
    }

    /// MLOAD at offset 2^32: the offset does not fit in u32 (FEVM exit 38).
    function illegalMemoryAccess() external pure returns (uint256 v) {
        assembly {
            v := mload(shl(32, 1))
        }
    }

    /// RETURNDATACOPY past the end of the (empty) return data (FEVM exit 38).
    function returnDataOutOfBounds() external pure returns (uint256 v) {
        assembly {
            returndatacopy(0, 0, 1)
            v := mload(0)
        }
    }

    /// Unbounded internal recursion: overflows the 1024-word EVM stack (FEVM exit 37).
    function stackOverflow() external pure returns (uint256) {
        return _deeper(0);
    }

    function _deeper(uint256 n) private pure returns (uint256) {
        if (n == type(uint256).max) return n;
        return _deeper(n + 1) + 1;
    }

    /// Loops until the message runs out of gas (FEVM exit 7).
    function spin() external pure {
        uint256 i;
        while (true) {
            unchecked {
                i++;
            }
        }
    }
}

/// @title RevertCatcher
/// @notice Calls a `Reverter` (or anything) and either catches the failure with try/catch and
/// returns what it caught, or bubbles the callee's revert data up unchanged.
contract RevertCatcher {
    /// Low-level CALL; returns the success flag and the return or revert data.
    function callRaw(address target, bytes calldata data) external returns (bool ok, bytes memory returnData) {
        (ok, returnData) = target.call(data);
    }

    /// Low-level CALL that re-raises a failure with the callee's exact revert data.
    function callAndBubble(address target, bytes calldata data) external returns (bytes memory returnData) {
        bool ok;
        (ok, returnData) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(returnData, 32), mload(returnData))
            }
        }
    }

    /// `try reverter.revertWithMessage(message) catch Error(string reason)`: returns `reason`.
    function catchMessage(address reverter, string calldata message) external pure returns (string memory reason) {
        try Reverter(reverter).revertWithMessage(message) {
            reason = "";
        } catch Error(string memory r) {
            reason = r;
        }
    }

    /// Triggers a panic in `reverter` and returns the caught panic code:
    /// kind 0 = assert (0x01), 1 = division by zero (0x12), 2 = out of bounds (0x32),
    /// 3 = overflow (0x11). Returns 0 if nothing panicked.
    function catchPanic(address reverter, uint8 kind) external pure returns (uint256 code) {
        Reverter r = Reverter(reverter);
        if (kind == 0) {
            try r.panicAssert() {} catch Panic(uint256 c) {
                code = c;
            }
        } else if (kind == 1) {
            try r.panicDivisionByZero(0) returns (uint256) {} catch Panic(uint256 c) {
                code = c;
            }
        } else if (kind == 2) {
            try r.panicArrayOutOfBounds(3) returns (uint256) {} catch Panic(uint256 c) {
                code = c;
            }
        } else {
            try r.panicOverflow(1) returns (uint256) {} catch Panic(uint256 c) {
                code = c;
            }
        }
    }

    /// Catches `CustomError(code, ...)` as raw bytes (selector + ABI-encoded arguments).
    function catchCustomError(address reverter, uint256 code) external view returns (bytes memory data) {
        try Reverter(reverter).revertWithCustomError(code) {} catch (bytes memory d) {
            data = d;
        }
    }

    /// Calls `setThenRevert(newValue)` (caught), then returns the reverter's `value`, which the
    /// reverted call must not have changed.
    function valueAfterRevertedSet(address reverter, uint256 newValue) external returns (uint256) {
        try Reverter(reverter).setThenRevert(newValue) {} catch {}
        return Reverter(reverter).value();
    }
}
