// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Counter} from "./Counter.sol";

/// Keeps named Counters; the deploy script creates one through it, so the broadcast contains a
/// contract creation, a call that creates a contract from a contract, and plain calls.
contract Registry {
    event Registered(string name, address indexed counter);

    mapping(string => address) public counters;
    string[] public names;

    function create(string calldata name, uint256 initial) external returns (Counter counter) {
        require(counters[name] == address(0), "Registry: name taken");
        counter = new Counter(initial);
        counters[name] = address(counter);
        names.push(name);
        emit Registered(name, address(counter));
    }

    function count() external view returns (uint256) {
        return names.length;
    }
}
