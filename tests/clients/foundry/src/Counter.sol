// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A number that anyone may raise and only the owner may set to any value; both emit NumberSet with
/// the setter and the new value as indexed topics, so `cast logs` can filter and decode them.
contract Counter {
    event NumberSet(address indexed setter, uint256 indexed value, string note);

    address public owner;
    uint256 public number;

    constructor(uint256 initial) payable {
        owner = msg.sender;
        number = initial;
    }

    function setNumber(uint256 value) external {
        require(msg.sender == owner, "Counter: only the owner may set");
        number = value;
        emit NumberSet(msg.sender, value, "set");
    }

    function raise(uint256 by) external returns (uint256) {
        require(by > 0, "Counter: raise by at least one");
        number += by;
        emit NumberSet(msg.sender, number, "raise");
        return number;
    }

    /// Send the contract's whole balance to `to`.
    function sweep(address payable to) external {
        require(msg.sender == owner, "Counter: only the owner may set");
        (bool ok, ) = to.call{value: address(this).balance}("");
        require(ok, "Counter: sweep failed");
    }

    receive() external payable {}
}
