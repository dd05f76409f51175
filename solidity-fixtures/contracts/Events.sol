// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Events
/// @notice LOG0..LOG4 in every shape FEVM maps to actor events (FEVM.md §4): raw `logN` from
/// inline assembly, Solidity events with indexed and non-indexed parameters, anonymous events,
/// an empty LOG0 (an event with no entries), and logs sized around the 8 KiB value limit
/// (data <= 8192 - 32 * topics bytes is accepted; one byte more aborts with exit 24).
contract Events {
    /// Total bytes of entry values the FVM accepts in one event.
    uint256 public constant MAX_EVENT_VALUE_BYTES = 8192;

    event NoArgs();
    event Indexed(address indexed sender, uint256 indexed id, bytes32 indexed tag, uint256 value, string note);
    event Data(bytes data);
    event Numbered(uint256 indexed index);
    event AnonOne(uint256 indexed a, uint256 b) anonymous;
    event AnonFour(bytes32 indexed t1, bytes32 indexed t2, bytes32 indexed t3, bytes32 indexed t4) anonymous;

    // ---- raw LOG0..LOG4 -------------------------------------------------------------------

    function rawLog0(bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log0(add(d, 32), mload(d))
        }
    }

    /// LOG0 with no topics and no data: an actor event with no entries at all.
    function emptyLog0() external {
        assembly {
            log0(0, 0)
        }
    }

    function rawLog1(bytes32 t1, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log1(add(d, 32), mload(d), t1)
        }
    }

    function rawLog2(bytes32 t1, bytes32 t2, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log2(add(d, 32), mload(d), t1, t2)
        }
    }

    function rawLog3(bytes32 t1, bytes32 t2, bytes32 t3, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log3(add(d, 32), mload(d), t1, t2, t3)
        }
    }

    function rawLog4(bytes32 t1, bytes32 t2, bytes32 t3, bytes32 t4, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log4(add(d, 32), mload(d), t1, t2, t3, t4)
        }
    }

    // ---- Solidity events ------------------------------------------------------------------

    function emitNoArgs() external {
        emit NoArgs();
    }

    function emitIndexed(uint256 id, bytes32 tag, uint256 value, string calldata note) external {
        emit Indexed(msg.sender, id, tag, value, note);
    }

    function emitData(bytes calldata data) external {
        emit Data(data);
    }

    function emitNumbered(uint256 index) external {
        emit Numbered(index);
    }

    function emitAnonOne(uint256 a, uint256 b) external {
        emit AnonOne(a, b);
    }

    function emitAnonFour(bytes32 t1, bytes32 t2, bytes32 t3, bytes32 t4) external {
        emit AnonFour(t1, t2, t3, t4);
    }

    /// Emits `Numbered(0)`, ..., `Numbered(n - 1)` in order.
    function emitMany(uint256 n) external {
        for (uint256 i = 0; i < n; i++) {
            emit Numbered(i);
        }
    }

    // ---- size limits ----------------------------------------------------------------------

    /// Largest data length a LOG with `topicCount` topics may carry.
    function maxDataSize(uint8 topicCount) public pure returns (uint256) {
        require(topicCount <= 4, "Events: at most 4 topics");
        return MAX_EVENT_VALUE_BYTES - 32 * uint256(topicCount);
    }

    /// Emits one LOG`topicCount` with topics 1, 2, 3, 4 (as 32-byte words) and `size` bytes of
    /// data where byte i is `i % 251`.
    function emitSized(uint8 topicCount, uint256 size) public {
        require(topicCount <= 4, "Events: at most 4 topics");
        bytes memory d = new bytes(size);
        for (uint256 i = 0; i < size; i++) {
            d[i] = bytes1(uint8(i % 251));
        }
        assembly {
            let p := add(d, 32)
            switch topicCount
            case 0 { log0(p, size) }
            case 1 { log1(p, size, 1) }
            case 2 { log2(p, size, 1, 2) }
            case 3 { log3(p, size, 1, 2, 3) }
            default { log4(p, size, 1, 2, 3, 4) }
        }
    }

    /// The largest accepted log for `topicCount` topics (8192 - 32 * topicCount data bytes).
    function emitMaxSize(uint8 topicCount) external {
        emitSized(topicCount, maxDataSize(topicCount));
    }

    /// One data byte over the limit: FEVM aborts with USR_ASSERTION_FAILED (24).
    function emitOverLimit(uint8 topicCount) external {
        emitSized(topicCount, maxDataSize(topicCount) + 1);
    }

    // ---- events and reverts ---------------------------------------------------------------

    /// Emits `Numbered(index)` and then reverts: the event must not appear anywhere.
    function emitThenRevert(uint256 index) external {
        emit Numbered(index);
        revert("Events: reverted after emit");
    }

    /// Emits `Numbered(100)`, calls `emitThenRevert(101)` on itself (caught), emits
    /// `Numbered(102)`, then calls `emitNumbered(103)` on itself: the logs are 100, 102, 103.
    function emitAroundRevertedSubcall() external returns (bool subcallOk) {
        emit Numbered(100);
        try this.emitThenRevert(101) {
            subcallOk = true;
        } catch {
            subcallOk = false;
        }
        emit Numbered(102);
        this.emitNumbered(103);
    }

    /// Emits `Numbered(index)` here and `Numbered(index + 1)` from `other` (another Events):
    /// two logs with different emitters in one transaction.
    function emitHereAndThere(address other, uint256 index) external {
        emit Numbered(index);
        Events(other).emitNumbered(index + 1);
    }
}
