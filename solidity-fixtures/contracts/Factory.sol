// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Child
/// @notice What the factory deploys: a constructor argument, the creator and the endowment.
contract Child {
    uint256 public value;
    address public creator;
    uint256 public endowment;

    constructor(uint256 value_) payable {
        value = value_;
        creator = msg.sender;
        endowment = msg.value;
    }

    function ping() external pure returns (uint256) {
        return 42;
    }
}

/// @title RevertingChild
/// @notice A constructor that always reverts, with `ChildFailed(7)` or an `Error(string)`.
contract RevertingChild {
    error ChildFailed(uint256 code);

    constructor(bool useCustomError) {
        if (useCustomError) revert ChildFailed(7);
        revert("RevertingChild: constructor reverted");
    }
}

/// @title Factory
/// @notice CREATE and CREATE2 through the EAM (FEVM.md §1.6, §3.8): address derivation from the
/// contract nonce (starting at 1) and from the salt, collisions, constructor revert data, and
/// raw initcode deployment for bytecode the tests build themselves.
contract Factory {
    event ChildCreated(address indexed child, bytes32 salt, bool viaCreate2);

    /// CREATE `Child(value)` with `msg.value` as endowment.
    function create(uint256 value) external payable returns (address child) {
        child = address(new Child{value: msg.value}(value));
        emit ChildCreated(child, bytes32(0), false);
    }

    /// CREATE2 `Child(value)` with `salt` and `msg.value` as endowment.
    function create2(uint256 value, bytes32 salt) external payable returns (address child) {
        child = address(new Child{value: msg.value, salt: salt}(value));
        emit ChildCreated(child, salt, true);
    }

    /// CREATEs `n` children (`Child(i)`), returning their addresses in order.
    function createMany(uint256 n) external returns (address[] memory children) {
        children = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            children[i] = address(new Child(i));
            emit ChildCreated(children[i], bytes32(0), false);
        }
    }

    /// The CREATE2 address of `Child(value)` with `salt`, computed in Solidity.
    function computeCreate2Address(uint256 value, bytes32 salt) public view returns (address) {
        bytes32 initcodeHash = keccak256(abi.encodePacked(type(Child).creationCode, abi.encode(value)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initcodeHash)))));
    }

    /// The CREATE address for this factory and `nonce`: keccak256(rlp([this, nonce])).
    /// On FEVM a contract's nonce starts at 1, so its first CREATE uses nonce 1.
    function computeCreateAddress(uint64 nonce) public view returns (address) {
        bytes memory encodedNonce;
        if (nonce == 0) {
            encodedNonce = hex"80";
        } else if (nonce < 0x80) {
            encodedNonce = abi.encodePacked(uint8(nonce));
        } else {
            uint256 len = 0;
            for (uint64 n = nonce; n != 0; n >>= 8) len++;
            encodedNonce = new bytes(len + 1);
            encodedNonce[0] = bytes1(uint8(0x80 + len));
            for (uint256 i = 0; i < len; i++) {
                encodedNonce[len - i] = bytes1(uint8(nonce >> (8 * i)));
            }
        }
        bytes memory payload = abi.encodePacked(bytes1(0x94), address(this), encodedNonce);
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(uint8(0xc0 + payload.length)), payload)))));
    }

    /// CREATE2 twice with the same salt in one transaction. The second deployment collides with
    /// a live contract and must fail.
    function create2Twice(uint256 value, bytes32 salt)
        external
        returns (address first, bool secondSucceeded, address second)
    {
        first = address(new Child{salt: salt}(value));
        try new Child{salt: salt}(value) returns (Child c) {
            secondSucceeded = true;
            second = address(c);
        } catch {
            secondSucceeded = false;
        }
    }

    /// Deploys a `RevertingChild` and catches the failure: returns the constructor's revert data.
    function tryCreateReverting(bool useCustomError) external returns (bool ok, bytes memory revertData) {
        try new RevertingChild(useCustomError) returns (RevertingChild) {
            ok = true;
        } catch (bytes memory data) {
            revertData = data;
        }
    }

    /// Deploys a `RevertingChild` and re-raises its constructor's revert data unchanged.
    function createRevertingBubble(bool useCustomError) external returns (address) {
        try new RevertingChild(useCustomError) returns (RevertingChild c) {
            return address(c);
        } catch (bytes memory data) {
            assembly {
                revert(add(data, 32), mload(data))
            }
        }
    }

    /// CREATE with arbitrary initcode and endowment `value` (from this contract's balance).
    /// Returns the new address, or address(0) and the revert data on failure.
    function createRaw(bytes calldata initcode, uint256 value)
        external
        payable
        returns (address addr, bytes memory revertData)
    {
        bytes memory code = initcode;
        assembly {
            addr := create(value, add(code, 32), mload(code))
        }
        if (addr == address(0)) revertData = _returnData();
    }

    /// CREATE2 with arbitrary initcode, `salt` and endowment `value`.
    function create2Raw(bytes calldata initcode, bytes32 salt, uint256 value)
        external
        payable
        returns (address addr, bytes memory revertData)
    {
        bytes memory code = initcode;
        assembly {
            addr := create2(value, add(code, 32), mload(code), salt)
        }
        if (addr == address(0)) revertData = _returnData();
    }

    function _returnData() private pure returns (bytes memory data) {
        assembly {
            let size := returndatasize()
            data := mload(0x40)
            mstore(data, size)
            returndatacopy(add(data, 32), 0, size)
            mstore(0x40, add(add(data, 32), and(add(size, 31), not(31))))
        }
    }

    receive() external payable {}
}
