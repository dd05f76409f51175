// SPDX-License-Identifier: MIT
// A contract that owns and operates a storage miner the way staking pools and provider
// contracts do on FEVM: it creates the miner through the power actor (as owner), then reads
// and drives it through filecoin-solidity-api's MinerAPI (npm filecoin-solidity-api 1.1.3),
// which calls the miner by actor ID. Every function returns the actor's exit code first.
pragma solidity ^0.8.17;

import {MinerAPI} from "filecoin-solidity-api/contracts/v0.8/MinerAPI.sol";
import {PowerAPI} from "filecoin-solidity-api/contracts/v0.8/PowerAPI.sol";
import {SendAPI} from "filecoin-solidity-api/contracts/v0.8/SendAPI.sol";
import {CommonTypes} from "filecoin-solidity-api/contracts/v0.8/types/CommonTypes.sol";
import {MinerTypes} from "filecoin-solidity-api/contracts/v0.8/types/MinerTypes.sol";
import {PowerTypes} from "filecoin-solidity-api/contracts/v0.8/types/PowerTypes.sol";
import {FilAddresses} from "filecoin-solidity-api/contracts/v0.8/utils/FilAddresses.sol";

contract MinerClient {
    /// StackedDRGWindow2KiBV1P1. The library's enum stops at the V1 Window PoSt types (5–9),
    /// which miners may no longer be created with; its eleventh entry encodes 10.
    uint8 private constant WINDOW_POST_2KIB_V1P1 = 10;

    /// Sends `msg.value` to a Filecoin address (creating its account, e.g. a BLS worker key).
    function fund(bytes calldata target) external payable returns (int256) {
        return SendAPI.send(CommonTypes.FilAddress({data: target}), msg.value);
    }

    /// Creates a 2 KiB miner owned by this contract with `worker`; `msg.value` is its balance.
    function createMiner(bytes calldata worker) external payable returns (int256, bytes memory) {
        PowerTypes.CreateMinerParams memory params = PowerTypes.CreateMinerParams({
            owner: FilAddresses.fromEthAddress(address(this)),
            worker: CommonTypes.FilAddress({data: worker}),
            window_post_proof_type: PowerTypes.RegisteredPoStProof(WINDOW_POST_2KIB_V1P1),
            peer: CommonTypes.FilAddress({data: hex"0102"}),
            multiaddrs: new CommonTypes.FilAddress[](0)
        });
        (int256 code, PowerTypes.CreateMinerReturn memory ret) = PowerAPI.createMiner(params, msg.value);
        return (code, ret.id_address.data);
    }

    /// The miner's owner and proposed owner (address bytes).
    function owner(uint64 miner) external view returns (int256, bytes memory, bytes memory) {
        (int256 code, MinerTypes.GetOwnerReturn memory ret) = MinerAPI.getOwner(CommonTypes.FilActorId.wrap(miner));
        return (code, ret.owner.data, ret.proposed.data);
    }

    /// The miner's sector size in bytes.
    function sectorSize(uint64 miner) external view returns (int256, uint64) {
        return MinerAPI.getSectorSize(CommonTypes.FilActorId.wrap(miner));
    }

    /// What the miner's owner could withdraw now (big-integer bytes).
    function availableBalance(uint64 miner) external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory amount) =
            MinerAPI.getAvailableBalance(CommonTypes.FilActorId.wrap(miner));
        return (code, amount.val);
    }

    /// Whether `addr` is the miner's owner, worker or a control address.
    function isControlling(uint64 miner, bytes calldata addr) external view returns (int256, bool) {
        return MinerAPI.isControllingAddress(CommonTypes.FilActorId.wrap(miner), CommonTypes.FilAddress({data: addr}));
    }

    /// Withdraws up to `amount` (big-integer bytes) to the miner's beneficiary.
    function withdraw(uint64 miner, bytes calldata amount) external returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory out) = MinerAPI.withdrawBalance(
            CommonTypes.FilActorId.wrap(miner), CommonTypes.BigInt({val: amount, neg: false})
        );
        return (code, out.val);
    }

    /// Replaces the miner's peer ID (owner, worker or control addresses only).
    function changePeerId(uint64 miner, bytes calldata peer) external returns (int256) {
        return MinerAPI.changePeerId(CommonTypes.FilActorId.wrap(miner), CommonTypes.FilAddress({data: peer}));
    }

    /// The miner's peer ID.
    function peerId(uint64 miner) external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.FilAddress memory peer) = MinerAPI.getPeerId(CommonTypes.FilActorId.wrap(miner));
        return (code, peer.data);
    }

    /// Lets this contract receive FIL (withdrawals come back to it as the miner's beneficiary).
    receive() external payable {}
}
