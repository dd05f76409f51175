// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A counter with an owner, a start value from the constructor, an event per step and two
/// revert paths: a require with a message and a custom error.
contract Counter {
    error NotOwner(address caller, address owner);

    event Stepped(address indexed by, uint256 step, uint256 newCount);

    address public immutable owner;
    uint256 public count;
    string public label;

    constructor(uint256 start, string memory label_) {
        owner = msg.sender;
        count = start;
        label = label_;
    }

    function increment() external {
        stepBy(1);
    }

    function stepBy(uint256 step) public {
        require(step > 0, "Counter: step must be positive");
        count += step;
        emit Stepped(msg.sender, step, count);
    }

    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender, owner);
        count = 0;
    }
}
