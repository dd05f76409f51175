// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Counter
/// @notice The smallest stateful contract: one storage slot, one event.
contract Counter {
    uint256 public count;

    event CountChanged(address indexed by, uint256 oldValue, uint256 newValue);

    function increment() external returns (uint256) {
        return _set(count + 1);
    }

    function add(uint256 amount) external returns (uint256) {
        return _set(count + amount);
    }

    function set(uint256 value) external {
        _set(value);
    }

    function get() external view returns (uint256) {
        return count;
    }

    function _set(uint256 value) private returns (uint256) {
        emit CountChanged(msg.sender, count, value);
        count = value;
        return value;
    }
}
