// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Implementation
/// @notice Logic run through `Proxy` by DELEGATECALL (FEVM.md §3.5): storage is written in the
/// proxy's state, events are emitted by the proxy, and msg.sender / msg.value are those of the
/// call into the proxy.
contract Implementation {
    uint256 public value;
    address public lastSender;
    uint256 public lastValue;

    event ValueSet(address indexed sender, uint256 value, uint256 msgValue, address context);

    function setValue(uint256 newValue) external payable {
        value = newValue;
        lastSender = msg.sender;
        lastValue = msg.value;
        emit ValueSet(msg.sender, newValue, msg.value, address(this));
    }

    /// Where the code runs (`address(this)`), who called, and with what value.
    function context() external payable returns (address thisAddress, address sender, uint256 callValue) {
        return (address(this), msg.sender, msg.value);
    }

    function fail(string calldata reason) external pure {
        revert(reason);
    }
}

/// @title Proxy
/// @notice Forwards every call (any calldata, any value) to its implementation with
/// DELEGATECALL and returns or reverts with exactly what the implementation produced.
contract Proxy {
    /// keccak256("solidity-fixtures.proxy.implementation") - 1: away from the implementation's
    /// own slots.
    bytes32 private constant IMPLEMENTATION_SLOT =
        bytes32(uint256(keccak256("solidity-fixtures.proxy.implementation")) - 1);

    constructor(address implementation) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            sstore(slot, implementation)
        }
    }

    function proxyImplementation() external view returns (address implementation) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            implementation := sload(slot)
        }
    }

    fallback() external payable {
        _forward();
    }

    /// Plain value sends are forwarded too (with empty calldata).
    receive() external payable {
        _forward();
    }

    function _forward() private {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            let implementation := sload(slot)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), implementation, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
