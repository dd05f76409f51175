// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Counter} from "../src/Counter.sol";
import {Registry} from "../src/Registry.sol";

/// The cheatcodes this script uses, declared by hand: forge-std cannot be installed offline.
interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
    function envUint(string calldata name) external view returns (uint256);
}

/// forge script script/Deploy.s.sol:Deploy --broadcast deploys a Counter and a Registry, calls
/// both, and funds the Counter. test.sh then checks every effect on fevm with cast.
contract Deploy {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (Counter counter, Registry registry, Counter named) {
        uint256 start = vm.envUint("DEPLOY_START");
        vm.startBroadcast();
        counter = new Counter(start);
        counter.raise(5);
        counter.setNumber(start * 2);
        registry = new Registry();
        named = registry.create("alpha", 99);
        named.raise(1);
        (bool ok, ) = address(counter).call{value: 0.25 ether}("");
        require(ok, "funding failed");
        vm.stopBroadcast();
    }
}
