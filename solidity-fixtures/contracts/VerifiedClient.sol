// SPDX-License-Identifier: MIT
// A contract that holds datacap and spends it, as verified-client contracts do on FEVM: a
// verifier makes it a verified client (datacap is minted to it, calling its FRC-46 receiver
// hook), it reads balances and allowances, lets another address spend for it, and turns its
// datacap into verified allocations by transferring it to the verified registry (f06) with
// FRC-46 operator data `AllocationRequests` (direct data onboarding, FIP-0076). Everything goes
// through filecoin-solidity-api's DataCapAPI and VerifRegAPI (npm 1.1.3); each function returns
// the actor's exit code first. Datacap moves only to the registry: a transfer to anyone else
// is refused (exit 18), as on the network.
pragma solidity ^0.8.17;

import {CBOR} from "solidity-cborutils/contracts/CBOR.sol";
import {DataCapAPI} from "filecoin-solidity-api/contracts/v0.8/DataCapAPI.sol";
import {VerifRegAPI} from "filecoin-solidity-api/contracts/v0.8/VerifRegAPI.sol";
import {FilecoinCBOR} from "filecoin-solidity-api/contracts/v0.8/cbor/FilecoinCbor.sol";
import {CommonTypes} from "filecoin-solidity-api/contracts/v0.8/types/CommonTypes.sol";
import {DataCapTypes} from "filecoin-solidity-api/contracts/v0.8/types/DataCapTypes.sol";
import {VerifRegTypes} from "filecoin-solidity-api/contracts/v0.8/types/VerifRegTypes.sol";
import {CBORDecoder} from "filecoin-solidity-api/contracts/v0.8/utils/CborDecode.sol";
import {FilAddresses} from "filecoin-solidity-api/contracts/v0.8/utils/FilAddresses.sol";

contract VerifiedClient {
    using CBOR for CBOR.CBORBuffer;
    using FilecoinCBOR for CBOR.CBORBuffer;
    using CBORDecoder for bytes;

    uint64 private constant DATACAP_RECEIVER_HOOK = 3726118371;
    /// FRC-46's token type in the receiver hook's `[type, payload]`.
    uint32 private constant FRC46_TOKEN_TYPE = 2233613279;
    uint64 private constant CBOR_CODEC = 0x51;
    /// What a top-level message's parameters arrive as (actors send CBOR, 0x51).
    uint64 private constant DAG_CBOR_CODEC = 0x71;
    address private constant DATACAP = 0xfF00000000000000000000000000000000000007;
    uint64 private constant VERIFIED_REGISTRY = 6;
    /// Datacap tokens per byte (the token has 18 decimals; the registry counts bytes).
    uint256 private constant TOKENS_PER_BYTE = 1e18;

    /// One allocation to ask the registry for: `provider` may claim `size` bytes of the piece
    /// `pieceCid` (CID bytes) until `expiration`, for a term between `termMin` and `termMax`.
    struct AllocationRequest {
        uint64 provider;
        bytes pieceCid;
        uint64 size;
        int64 termMin;
        int64 termMax;
        int64 expiration;
    }

    /// A claim as the registry reports it (`data` is the CID with its multibase 0x00 prefix,
    /// as the library reads CIDs).
    struct ClaimView {
        uint64 provider;
        uint64 client;
        bytes data;
        uint64 size;
        int64 termMin;
        int64 termMax;
        int64 termStart;
        uint64 sector;
    }

    /// The receiver hook's calls, and the last FRC46TokenReceived payload.
    uint256 public hooksReceived;
    bytes public lastReceived;
    /// Every allocation this contract's transfers created, in order.
    uint64[] private allocationIds;

    event DataCapReceived(bytes payload);
    event AllocationsMade(uint64[] ids);

    error UnknownMethod(uint64 method);
    error UnexpectedCodec(uint64 codec);
    error NotDataCap(address sender);
    error NotAToken(uint32 tokenType);

    /// The FRC-46 receiver hook (`Receive`), from datacap only: minted or transferred datacap
    /// is accepted. Any other method number reverts.
    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        returns (uint32, uint64, bytes memory)
    {
        if (method != DATACAP_RECEIVER_HOOK) revert UnknownMethod(method);
        if (codec != CBOR_CODEC && codec != DAG_CBOR_CODEC) revert UnexpectedCodec(codec);
        if (msg.sender != DATACAP) revert NotDataCap(msg.sender);
        CommonTypes.UniversalReceiverParams memory hook = FilecoinCBOR.deserializeUniversalReceiverParams(params);
        if (hook.type_ != FRC46_TOKEN_TYPE) revert NotAToken(hook.type_);
        hooksReceived += 1;
        lastReceived = hook.payload;
        emit DataCapReceived(hook.payload);
        return (0, 0, "");
    }

    /// The datacap balance of any address (address bytes), in tokens (bytes × 10^18).
    function balanceOf(bytes calldata addr) external view returns (int256, bytes memory) {
        (int256 code, CommonTypes.BigInt memory amount) = DataCapAPI.balance(CommonTypes.FilAddress(addr));
        return (code, amount.val);
    }

    /// Transfers `amount` tokens (big-endian bytes) of this contract's datacap to `to`.
    function transfer(bytes calldata to, bytes calldata amount, bytes calldata operatorData)
        external
        returns (int256, bytes memory, bytes memory)
    {
        DataCapTypes.TransferParams memory params = DataCapTypes.TransferParams({
            to: CommonTypes.FilAddress(to),
            amount: CommonTypes.BigInt(amount, false),
            operator_data: operatorData
        });
        (int256 code, DataCapTypes.TransferReturn memory ret) = DataCapAPI.transfer(params);
        return (code, ret.from_balance.val, ret.to_balance.val);
    }

    /// Spends this contract's datacap on verified allocations: transfers Σ size × 10^18 tokens
    /// to the registry with the requests as operator data; returns the new allocations' ids.
    function allocate(AllocationRequest[] calldata requests) external returns (int256, uint64[] memory) {
        DataCapTypes.TransferParams memory params = DataCapTypes.TransferParams({
            to: FilAddresses.fromActorID(VERIFIED_REGISTRY),
            amount: CommonTypes.BigInt(magnitude(tokensFor(requests)), false),
            operator_data: encodeRequests(requests)
        });
        (int256 code, DataCapTypes.TransferReturn memory ret) = DataCapAPI.transfer(params);
        if (code != 0) return (code, new uint64[](0));
        return (0, recordAllocations(ret.recipient_data));
    }

    /// As `allocate`, spending `owner`'s datacap under the allowance it gave this contract
    /// (TransferFrom; the allocations' client is `owner`).
    function allocateFrom(bytes calldata owner, AllocationRequest[] calldata requests)
        external
        returns (int256, uint64[] memory)
    {
        DataCapTypes.TransferFromParams memory params = DataCapTypes.TransferFromParams({
            from: CommonTypes.FilAddress(owner),
            to: FilAddresses.fromActorID(VERIFIED_REGISTRY),
            amount: CommonTypes.BigInt(magnitude(tokensFor(requests)), false),
            operator_data: encodeRequests(requests)
        });
        (int256 code, DataCapTypes.TransferFromReturn memory ret) = DataCapAPI.transferFrom(params);
        if (code != 0) return (code, new uint64[](0));
        return (0, recordAllocations(ret.recipient_data));
    }

    /// Lets `operator` spend `amount` more tokens of this contract's datacap; the new allowance.
    function increaseAllowance(bytes calldata operator, bytes calldata amount) external returns (int256, bytes memory) {
        DataCapTypes.IncreaseAllowanceParams memory params = DataCapTypes.IncreaseAllowanceParams({
            operator: CommonTypes.FilAddress(operator),
            increase: CommonTypes.BigInt(amount, false)
        });
        (int256 code, CommonTypes.BigInt memory allowed) = DataCapAPI.increaseAllowance(params);
        return (code, allowed.val);
    }

    /// What `operator` may still spend of `owner`'s datacap.
    function allowance(bytes calldata owner, bytes calldata operator) external view returns (int256, bytes memory) {
        DataCapTypes.GetAllowanceParams memory params = DataCapTypes.GetAllowanceParams({
            owner: CommonTypes.FilAddress(owner),
            operator: CommonTypes.FilAddress(operator)
        });
        (int256 code, CommonTypes.BigInt memory allowed) = DataCapAPI.allowance(params);
        return (code, allowed.val);
    }

    /// The allocations this contract's transfers created.
    function allocations() external view returns (uint64[] memory) {
        return allocationIds;
    }

    /// A provider's claim `claimId` (a claimed allocation keeps its id), through `GetClaims`;
    /// also how many of the ids asked for were found.
    function claim(uint64 provider, uint64 claimId) external view returns (int256, uint32, ClaimView memory view_) {
        CommonTypes.FilActorId[] memory ids = new CommonTypes.FilActorId[](1);
        ids[0] = CommonTypes.FilActorId.wrap(claimId);
        VerifRegTypes.GetClaimsParams memory params =
            VerifRegTypes.GetClaimsParams({provider: CommonTypes.FilActorId.wrap(provider), claim_ids: ids});
        (int256 code, VerifRegTypes.GetClaimsReturn memory ret) = VerifRegAPI.getClaims(params);
        if (code != 0 || ret.claims.length == 0) return (code, ret.batch_info.success_count, view_);
        VerifRegTypes.Claim memory c = ret.claims[0];
        view_ = ClaimView({
            provider: CommonTypes.FilActorId.unwrap(c.provider),
            client: CommonTypes.FilActorId.unwrap(c.client),
            data: c.data,
            size: c.size,
            termMin: CommonTypes.ChainEpoch.unwrap(c.term_min),
            termMax: CommonTypes.ChainEpoch.unwrap(c.term_max),
            termStart: CommonTypes.ChainEpoch.unwrap(c.term_start),
            sector: CommonTypes.FilActorId.unwrap(c.sector)
        });
        return (code, ret.batch_info.success_count, view_);
    }

    function tokensFor(AllocationRequest[] calldata requests) private pure returns (uint256 total) {
        for (uint256 i = 0; i < requests.length; i++) {
            total += uint256(requests[i].size) * TOKENS_PER_BYTE;
        }
    }

    /// `AllocationRequests [allocations [[provider, data, size, term_min, term_max,
    /// expiration]…], extensions []]`, the registry's operator data.
    function encodeRequests(AllocationRequest[] calldata requests) private pure returns (bytes memory) {
        CBOR.CBORBuffer memory buf = CBOR.create(64 + 80 * requests.length);
        buf.startFixedArray(2);
        buf.startFixedArray(uint64(requests.length));
        for (uint256 i = 0; i < requests.length; i++) {
            AllocationRequest calldata r = requests[i];
            buf.startFixedArray(6);
            buf.writeUInt64(r.provider);
            buf.writeCid(r.pieceCid);
            buf.writeUInt64(r.size);
            buf.writeInt64(r.termMin);
            buf.writeInt64(r.termMax);
            buf.writeInt64(r.expiration);
        }
        buf.startFixedArray(0);
        return buf.data();
    }

    /// Reads the registry's `AllocationsResponse [allocation_results, extension_results,
    /// new_allocations [u64…]]` (the transfer's recipient data) and keeps the new ids.
    function recordAllocations(bytes memory response) private returns (uint64[] memory ids) {
        uint256 len;
        uint256 pos;
        (len, pos) = response.readFixedArray(0);
        pos = skipBatchReturn(response, pos);
        pos = skipBatchReturn(response, pos);
        (len, pos) = response.readFixedArray(pos);
        ids = new uint64[](len);
        for (uint256 i = 0; i < len; i++) {
            (ids[i], pos) = response.readUInt64(pos);
            allocationIds.push(ids[i]);
        }
        emit AllocationsMade(ids);
    }

    /// Steps over a `BatchReturn [success_count, [[index, code]…]]`.
    function skipBatchReturn(bytes memory data, uint256 pos) private pure returns (uint256) {
        uint256 len;
        uint32 ignored;
        (len, pos) = data.readFixedArray(pos);
        (ignored, pos) = data.readUInt32(pos);
        (len, pos) = data.readFixedArray(pos);
        for (uint256 i = 0; i < len; i++) {
            (, pos) = data.readFixedArray(pos);
            (ignored, pos) = data.readUInt32(pos);
            (ignored, pos) = data.readUInt32(pos);
        }
        return pos;
    }

    /// The big-endian magnitude of `value` with no leading zeros (the library adds the sign).
    function magnitude(uint256 value) private pure returns (bytes memory out) {
        if (value == 0) return out;
        uint256 len = 32;
        while (value >> ((len - 1) * 8) == 0) len--;
        out = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            out[len - 1 - i] = bytes1(uint8(value >> (i * 8)));
        }
    }
}
