// SPDX-License-Identifier: MIT
// A contract that reaches Filecoin's storage actors the way real FEVM contracts do: through the
// filecoin-solidity-api library (npm filecoin-solidity-api 1.1.3), which CBOR-encodes the
// actors' parameters and calls them by actor ID through the call_actor_id precompile. Every
// function returns the actor's exit code first, as the library does, so a test sees refusals.
pragma solidity ^0.8.17;

import {PowerAPI} from "filecoin-solidity-api/contracts/v0.8/PowerAPI.sol";
import {DataCapAPI} from "filecoin-solidity-api/contracts/v0.8/DataCapAPI.sol";
import {MarketAPI} from "filecoin-solidity-api/contracts/v0.8/MarketAPI.sol";
import {CommonTypes} from "filecoin-solidity-api/contracts/v0.8/types/CommonTypes.sol";
import {DataCapTypes} from "filecoin-solidity-api/contracts/v0.8/types/DataCapTypes.sol";
import {MarketTypes} from "filecoin-solidity-api/contracts/v0.8/types/MarketTypes.sol";
import {PowerTypes} from "filecoin-solidity-api/contracts/v0.8/types/PowerTypes.sol";
import {FilAddresses} from "filecoin-solidity-api/contracts/v0.8/utils/FilAddresses.sol";

contract StorageClient {
    /// StackedDRGWindow2KiBV1P1. The library's enum stops at the V1 Window PoSt types (5–9),
    /// which miners may no longer be created with; its eleventh entry encodes 10.
    uint8 private constant WINDOW_POST_2KIB_V1P1 = 10;

    /// DataCap's token name and symbol ("DataCap", "DCAP").
    function datacapNameAndSymbol() external view returns (int256, string memory, int256, string memory) {
        (int256 nameCode, string memory name) = DataCapAPI.name();
        (int256 symbolCode, string memory symbol) = DataCapAPI.symbol();
        return (nameCode, name, symbolCode, symbol);
    }

    /// DataCap's total supply, as the actor's big-integer bytes.
    function datacapTotalSupply() external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory supply) = DataCapAPI.totalSupply();
        return (code, supply.val);
    }

    /// The DataCap balance of an actor, by ID (this contract's own ID included).
    function datacapBalance(uint64 actorId) external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory amount) = DataCapAPI.balance(FilAddresses.fromActorID(actorId));
        return (code, amount.val);
    }

    /// Transfers DataCap held by this contract to `to` (the verified registry accepts it with
    /// allocation requests in `operatorData`; DataCap refuses other recipients).
    function datacapTransfer(uint64 to, bytes calldata amount, bytes calldata operatorData)
        external
        returns (int256, bytes memory, bytes memory)
    {
        DataCapTypes.TransferParams memory params = DataCapTypes.TransferParams({
            to: FilAddresses.fromActorID(to),
            amount: CommonTypes.BigInt({val: amount, neg: false}),
            operator_data: operatorData
        });
        (int256 code, DataCapTypes.TransferReturn memory ret) = DataCapAPI.transfer(params);
        return (code, ret.from_balance.val, ret.to_balance.val);
    }

    /// The number of miners the power actor knows, and how many meet the consensus minimum.
    function minerCounts() external view returns (int256, uint64, int256, int64) {
        (int256 countCode, uint64 count) = PowerAPI.minerCount();
        (int256 consensusCode, int64 consensus) = PowerAPI.minerConsensusCount();
        return (countCode, count, consensusCode, consensus);
    }

    /// The network's raw byte power.
    function networkRawPower() external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory power) = PowerAPI.networkRawPower();
        return (code, power.val);
    }

    /// A miner's raw byte power and whether it meets the consensus minimum.
    function minerRawPower(uint64 minerId) external view returns (int256, bytes memory, bool) {
        (int256 code, PowerTypes.MinerRawPowerReturn memory ret) = PowerAPI.minerRawPower(minerId);
        return (code, ret.raw_byte_power.val, ret.meets_consensus_minimum);
    }

    /// Creates a storage miner owned by this contract, with `worker` (a BLS key address, as the
    /// miner requires) and the 2 KiB Window PoSt proof type; forwards `msg.value` as the deposit.
    function createMiner(bytes calldata worker, bytes calldata peerId)
        external
        payable
        returns (int256, bytes memory, bytes memory)
    {
        PowerTypes.CreateMinerParams memory params = PowerTypes.CreateMinerParams({
            owner: FilAddresses.fromEthAddress(address(this)),
            worker: CommonTypes.FilAddress({data: worker}),
            window_post_proof_type: PowerTypes.RegisteredPoStProof(WINDOW_POST_2KIB_V1P1),
            peer: CommonTypes.FilAddress({data: peerId}),
            multiaddrs: new CommonTypes.FilAddress[](0)
        });
        (int256 code, PowerTypes.CreateMinerReturn memory ret) = PowerAPI.createMiner(params, msg.value);
        return (code, ret.id_address.data, ret.robust_address.data);
    }

    /// Adds `msg.value` to this contract's escrow in the storage market (as a deal client
    /// funds its deals).
    function marketAddBalance() external payable returns (int256) {
        (int256 code, ) = MarketAPI.addBalance(FilAddresses.fromEthAddress(address(this)), msg.value);
        return code;
    }

    /// This contract's escrow and the part of it locked in deals.
    function marketBalance() external view returns (int256, bytes memory, bytes memory) {
        (int256 code, MarketTypes.GetBalanceReturn memory ret) =
            MarketAPI.getBalance(FilAddresses.fromEthAddress(address(this)));
        return (code, ret.balance.val, ret.locked.val);
    }

    /// Withdraws up to `amount` (big-endian bytes) of this contract's free escrow back to it.
    function marketWithdraw(bytes calldata amount) external returns (int256, bytes memory) {
        MarketTypes.WithdrawBalanceParams memory params = MarketTypes.WithdrawBalanceParams({
            provider_or_client: FilAddresses.fromEthAddress(address(this)),
            tokenAmount: CommonTypes.BigInt({val: amount, neg: false})
        });
        (int256 code, CommonTypes.BigInt memory withdrawn) = MarketAPI.withdrawBalance(params);
        return (code, withdrawn.val);
    }

    /// A deal's activation and termination epochs (the market refuses unknown deals).
    function dealActivation(uint64 dealId) external view returns (int256, int64, int64) {
        (int256 code, MarketTypes.GetDealActivationReturn memory ret) = MarketAPI.getDealActivation(dealId);
        return (code, CommonTypes.ChainEpoch.unwrap(ret.activated), CommonTypes.ChainEpoch.unwrap(ret.terminated));
    }
}
