// SPDX-License-Identifier: MIT
// A storage-deal client contract (FIP-0044: contracts answer for themselves where an f1 client
// signs). Its owner writes deal proposals into it; a storage provider reads one (Boost's
// `getDealProposal`), publishes it with the market's PublishStorageDeals, and the market asks
// the contract to authenticate the proposal (`AuthenticateMessage`) and then tells it the deal
// ID (`MarketNotifyDeal`). Both arrive through `handle_filecoin_method`. The contract funds its
// escrow and reads its deals back through filecoin-solidity-api's MarketAPI (npm 1.1.3);
// those functions return the actor's exit code first, as the library does.
//
// A proposal is identified by the hash of its CBOR bytes, in both forms the market shows it:
// as submitted (client = this contract's f410 address) to AuthenticateMessage, and normalised
// to ID addresses to MarketNotifyDeal. So the contract names the provider in the proposal
// (Boost's "any provider, substituted later" flow would change the bytes it authenticates).
pragma solidity ^0.8.17;

import {CBOR} from "solidity-cborutils/contracts/CBOR.sol";
import {MarketAPI} from "filecoin-solidity-api/contracts/v0.8/MarketAPI.sol";
import {PrecompilesAPI} from "filecoin-solidity-api/contracts/v0.8/PrecompilesAPI.sol";
import {AccountCBOR} from "filecoin-solidity-api/contracts/v0.8/cbor/AccountCbor.sol";
import {FilecoinCBOR} from "filecoin-solidity-api/contracts/v0.8/cbor/FilecoinCbor.sol";
import {MarketCBOR} from "filecoin-solidity-api/contracts/v0.8/cbor/MarketCbor.sol";
import {AccountTypes} from "filecoin-solidity-api/contracts/v0.8/types/AccountTypes.sol";
import {CommonTypes} from "filecoin-solidity-api/contracts/v0.8/types/CommonTypes.sol";
import {MarketTypes} from "filecoin-solidity-api/contracts/v0.8/types/MarketTypes.sol";
import {FilAddresses} from "filecoin-solidity-api/contracts/v0.8/utils/FilAddresses.sol";

contract DealClient {
    using CBOR for CBOR.CBORBuffer;
    using FilecoinCBOR for CBOR.CBORBuffer;

    /// FRC-42 numbers of the hooks the market and datacap call on a client.
    uint64 private constant AUTHENTICATE_MESSAGE = 2643134072;
    uint64 private constant MARKET_NOTIFY_DEAL = 4186741094;
    uint64 private constant DATACAP_RECEIVER_HOOK = 3726118371;
    uint64 private constant CBOR_CODEC = 0x51;
    /// What a top-level message's parameters arrive as (actors send CBOR, 0x51).
    uint64 private constant DAG_CBOR_CODEC = 0x71;
    /// How the market (f05) and datacap (f07) appear as `msg.sender`: their masked IDs.
    address private constant MARKET = 0xff00000000000000000000000000000000000005;
    address private constant DATACAP = 0xfF00000000000000000000000000000000000007;

    /// What the owner asks for. Amounts are attoFIL; the piece CID is the CID's bytes.
    struct DealRequest {
        bytes pieceCid;
        uint64 pieceSize;
        bool verified;
        uint64 provider;
        string label;
        int64 startEpoch;
        int64 endEpoch;
        uint256 pricePerEpoch;
        uint256 providerCollateral;
        uint256 clientCollateral;
    }

    struct Proposal {
        bytes cbor;
        bool published;
        uint64 dealId;
    }

    address public immutable owner;
    uint256 public proposalCount;
    mapping(bytes32 => Proposal) private proposals;
    /// keccak256 of either CBOR form of a proposal → its id.
    mapping(bytes32 => bytes32) private idByHash;

    /// Boost's event (topic0 0xfd6419d0…): a provider watching for it fetches the proposal.
    event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price);
    event DealPublished(bytes32 indexed id, uint64 dealId);
    event DataCapReceived(bytes payload);

    error NotOwner();
    error UnknownMethod(uint64 method);
    error UnexpectedCodec(uint64 codec);
    error NotFrom(address expected, address sender);
    error UnknownProposal(bytes32 hash);
    error AlreadyPublished(bytes32 id);

    constructor() {
        owner = msg.sender;
    }

    /// Records a proposal this contract will authenticate; returns its id.
    function makeDealProposal(DealRequest calldata request) external returns (bytes32 id) {
        if (msg.sender != owner) revert NotOwner();
        id = keccak256(abi.encode(address(this), proposalCount));
        proposalCount += 1;
        uint64 self = PrecompilesAPI.resolveEthAddress(address(this));
        bytes memory submitted = encodeProposal(request, FilAddresses.fromEthAddress(address(this)).data);
        bytes memory normalised = encodeProposal(request, FilAddresses.fromActorID(self).data);
        proposals[id].cbor = submitted;
        idByHash[keccak256(submitted)] = id;
        idByHash[keccak256(normalised)] = id;
        emit DealProposalCreate(id, request.pieceSize, request.verified, request.pricePerEpoch);
    }

    /// The CBOR `DealProposal` a provider publishes (Boost's `getDealProposal(bytes32)`).
    function getDealProposal(bytes32 id) external view returns (bytes memory) {
        return proposals[id].cbor;
    }

    /// Whether the market has published proposal `id`, and as which deal.
    function dealOf(bytes32 id) external view returns (bool, uint64) {
        return (proposals[id].published, proposals[id].dealId);
    }

    /// Native actors call this contract here. Anything but the three hooks it knows reverts.
    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        returns (uint32, uint64, bytes memory)
    {
        if (codec != CBOR_CODEC && codec != DAG_CBOR_CODEC) revert UnexpectedCodec(codec);
        if (method == AUTHENTICATE_MESSAGE) {
            return (0, CBOR_CODEC, authenticate(params));
        }
        if (method == MARKET_NOTIFY_DEAL) {
            notifyDeal(params);
            return (0, 0, "");
        }
        if (method == DATACAP_RECEIVER_HOOK) {
            // Datacap minted to this contract (it may then make verified deals, the market
            // pulling the datacap as the mint's operator).
            if (msg.sender != DATACAP) revert NotFrom(DATACAP, msg.sender);
            emit DataCapReceived(params);
            return (0, 0, "");
        }
        revert UnknownMethod(method);
    }

    /// AuthenticateMessage `[signature, message]` (read-only): the message must be the CBOR of
    /// a proposal made here and not yet published. The signature is whatever the provider
    /// attached; this contract's word is its answer, CBOR `true`.
    function authenticate(bytes calldata params) private view returns (bytes memory) {
        AccountTypes.AuthenticateMessageParams memory auth = AccountCBOR.deserializeAuthenticateMessageParams(params);
        bytes32 hash = keccak256(auth.message);
        bytes32 id = idByHash[hash];
        if (id == bytes32(0)) revert UnknownProposal(hash);
        if (proposals[id].published) revert AlreadyPublished(id);
        return hex"f5";
    }

    /// MarketNotifyDeal `[normalised proposal bytes, deal id]`, from the market only. A revert
    /// here aborts the whole PublishStorageDeals.
    function notifyDeal(bytes calldata params) private {
        if (msg.sender != MARKET) revert NotFrom(MARKET, msg.sender);
        MarketTypes.MarketDealNotifyParams memory notice = MarketCBOR.deserializeMarketDealNotifyParams(params);
        bytes32 hash = keccak256(notice.dealProposal);
        bytes32 id = idByHash[hash];
        if (id == bytes32(0)) revert UnknownProposal(hash);
        Proposal storage proposal = proposals[id];
        if (proposal.published) revert AlreadyPublished(id);
        proposal.published = true;
        proposal.dealId = notice.dealId;
        emit DealPublished(id, notice.dealId);
    }

    /// The 11-tuple `DealProposal` in canonical DAG-CBOR (the market re-encodes what it
    /// decodes, so only canonical bytes hash to what it shows us): amounts as big-integer bytes
    /// with no leading zeros and zero as the empty string, the label as a text string.
    function encodeProposal(DealRequest calldata r, bytes memory client) private pure returns (bytes memory) {
        CBOR.CBORBuffer memory buf = CBOR.create(256);
        buf.startFixedArray(11);
        buf.writeCid(r.pieceCid);
        buf.writeUInt64(r.pieceSize);
        buf.writeBool(r.verified);
        buf.writeBytes(client);
        buf.writeBytes(FilAddresses.fromActorID(r.provider).data);
        buf.writeString(r.label);
        buf.writeInt64(r.startEpoch);
        buf.writeInt64(r.endEpoch);
        buf.writeBytes(bigInt(r.pricePerEpoch));
        buf.writeBytes(bigInt(r.providerCollateral));
        buf.writeBytes(bigInt(r.clientCollateral));
        return buf.data();
    }

    /// Filecoin's big-integer bytes of a non-negative amount: sign byte 0 and the big-endian
    /// magnitude, or nothing for zero.
    function bigInt(uint256 value) private pure returns (bytes memory out) {
        if (value == 0) return out;
        uint256 len = 32;
        while (value >> ((len - 1) * 8) == 0) len--;
        out = new bytes(len + 1);
        for (uint256 i = 0; i < len; i++) {
            out[len - i] = bytes1(uint8(value >> (i * 8)));
        }
    }

    /// Adds `msg.value` to this contract's market escrow.
    function addBalance() external payable returns (int256) {
        (int256 code, ) = MarketAPI.addBalance(FilAddresses.fromEthAddress(address(this)), msg.value);
        return code;
    }

    /// This contract's escrow and the part of it locked in deals.
    function marketBalance() external view returns (int256, bytes memory, bytes memory) {
        (int256 code, MarketTypes.GetBalanceReturn memory ret) =
            MarketAPI.getBalance(FilAddresses.fromEthAddress(address(this)));
        return (code, ret.balance.val, ret.locked.val);
    }

    /// A deal's client (actor ID).
    function dealClient(uint64 dealId) external view returns (int256, uint64) {
        return MarketAPI.getDealClient(dealId);
    }

    /// A deal's provider (actor ID).
    function dealProvider(uint64 dealId) external view returns (int256, uint64) {
        return MarketAPI.getDealProvider(dealId);
    }

    /// A deal's label and whether it is a text string.
    function dealLabel(uint64 dealId) external view returns (int256, bytes memory, bool) {
        (int256 code, CommonTypes.DealLabel memory label) = MarketAPI.getDealLabel(dealId);
        return (code, label.data, label.isString);
    }

    /// A deal's start epoch and duration.
    function dealTerm(uint64 dealId) external view returns (int256, int64, int64) {
        (int256 code, MarketTypes.GetDealTermReturn memory term) = MarketAPI.getDealTerm(dealId);
        return (code, CommonTypes.ChainEpoch.unwrap(term.start), CommonTypes.ChainEpoch.unwrap(term.duration));
    }

    /// A deal's piece commitment (CID bytes as the library reads them) and size.
    function dealDataCommitment(uint64 dealId) external view returns (int256, bytes memory, uint64) {
        (int256 code, MarketTypes.GetDealDataCommitmentReturn memory ret) = MarketAPI.getDealDataCommitment(dealId);
        return (code, ret.data, ret.size);
    }

    /// A deal's total price (price per epoch × duration), client and provider collateral, as
    /// big-integer magnitudes.
    function dealMoney(uint64 dealId) external view returns (int256, bytes memory, bytes memory, bytes memory) {
        (int256 code, CommonTypes.BigInt memory price) = MarketAPI.getDealTotalPrice(dealId);
        if (code != 0) return (code, "", "", "");
        (int256 clientCode, CommonTypes.BigInt memory client) = MarketAPI.getDealClientCollateral(dealId);
        if (clientCode != 0) return (clientCode, "", "", "");
        (int256 providerCode, CommonTypes.BigInt memory provider) = MarketAPI.getDealProviderCollateral(dealId);
        return (providerCode, price.val, client.val, provider.val);
    }

    /// Whether a deal is verified.
    function dealVerified(uint64 dealId) external view returns (int256, bool) {
        return MarketAPI.getDealVerified(dealId);
    }

    /// A deal's activation and termination epochs.
    function dealActivation(uint64 dealId) external view returns (int256, int64, int64) {
        (int256 code, MarketTypes.GetDealActivationReturn memory ret) = MarketAPI.getDealActivation(dealId);
        return (code, CommonTypes.ChainEpoch.unwrap(ret.activated), CommonTypes.ChainEpoch.unwrap(ret.terminated));
    }
}
