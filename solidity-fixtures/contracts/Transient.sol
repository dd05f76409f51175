// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Transient
/// @notice TLOAD / TSTORE (EIP-1153, FEVM.md §3.9): values live for one top-level message, are
/// visible to reentrant calls into the same contract, are isolated per contract, and are rolled
/// back with a reverted frame.
contract Transient {
    /// Last value copied from transient to persistent storage by `record`.
    uint256 public recorded;

    /// A Solidity `transient` state variable (the compiler emits TLOAD/TSTORE itself).
    uint256 private transient bumps;

    function tset(uint256 slot, uint256 value) public {
        assembly {
            tstore(slot, value)
        }
    }

    function tget(uint256 slot) public view returns (uint256 value) {
        assembly {
            value := tload(slot)
        }
    }

    /// TSTORE then TLOAD in one call: returns `value`.
    function setAndGet(uint256 slot, uint256 value) external returns (uint256) {
        tset(slot, value);
        return tget(slot);
    }

    /// Copies `tload(slot)` into `recorded`. Sent in a later transaction than a `tset`, it
    /// records 0: transient storage does not survive the message.
    function record(uint256 slot) external returns (uint256 value) {
        value = tget(slot);
        recorded = value;
    }

    /// TSTOREs `value`, then reads it back through an external call to itself.
    function setThenReenter(uint256 slot, uint256 value) external returns (uint256 seenByReentry) {
        tset(slot, value);
        seenByReentry = this.tget(slot);
    }

    /// TSTOREs `value` here and reads the same slot of `other` (another `Transient`): 0.
    function setAndReadOther(address other, uint256 slot, uint256 value)
        external
        returns (uint256 mine, uint256 theirs)
    {
        tset(slot, value);
        theirs = Transient(other).tget(slot);
        mine = tget(slot);
    }

    /// Sets `value` here and `value + 1` in `other`, then reads both: each keeps its own.
    function nestedSet(address other, uint256 slot, uint256 value) external returns (uint256 mine, uint256 theirs) {
        tset(slot, value);
        Transient(other).tset(slot, value + 1);
        mine = tget(slot);
        theirs = Transient(other).tget(slot);
    }

    function tsetAndRevert(uint256 slot, uint256 value) external {
        tset(slot, value);
        revert("Transient: reverted");
    }

    /// Sets `value`, then calls `tsetAndRevert(slot, value + 1)` on itself (caught): returns
    /// `value`, because the reverted frame's TSTORE is rolled back.
    function revertedWriteIsRolledBack(uint256 slot, uint256 value) external returns (uint256) {
        tset(slot, value);
        try this.tsetAndRevert(slot, value + 1) {} catch {}
        return tget(slot);
    }

    /// Increments the transient `bumps` and returns it: 1 on the first call of a message.
    function bump() public returns (uint256) {
        return ++bumps;
    }

    /// Calls `bump()` on itself twice in one message: returns (1, 2).
    function bumpTwice() external returns (uint256 first, uint256 second) {
        first = this.bump();
        second = this.bump();
    }
}
