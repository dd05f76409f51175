// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title FilecoinPrecompiles
/// @notice Wrappers for the Filecoin precompiles at 0xfe00..01-06 (FEVM.md §2.1). call_actor and
/// call_actor_id only work through DELEGATECALL, so they act with this contract's identity and
/// balance; `callPrecompileAs` can use any call kind to test the refusal of the others.
contract FilecoinPrecompiles {
    address internal constant RESOLVE_ADDRESS = address(bytes20(hex"fe00000000000000000000000000000000000001"));
    address internal constant LOOKUP_DELEGATED_ADDRESS =
        address(bytes20(hex"fe00000000000000000000000000000000000002"));
    address internal constant CALL_ACTOR = address(bytes20(hex"fe00000000000000000000000000000000000003"));
    address internal constant CALL_ACTOR_ID = address(bytes20(hex"fe00000000000000000000000000000000000005"));
    address internal constant GET_RANDOMNESS = address(bytes20(hex"fe00000000000000000000000000000000000006"));

    /// Filecoin METHOD_SEND: a plain value transfer, no code runs at the receiver.
    uint64 public constant METHOD_SEND = 0;
    /// The CBOR codec (0x51).
    uint64 public constant CODEC_CBOR = 0x51;
    /// The READ_ONLY send flag.
    uint64 public constant FLAG_READ_ONLY = 1;

    /// Emitted by `callActor`, `callActorId` and `sendFil` when the precompile itself succeeded.
    event ActorCalled(int256 exitCode, uint64 codec, bytes data);

    receive() external payable {}

    // ---- 0xfe..01 resolve_address ----------------------------------------------------------

    /// Raw call: input is the Filecoin address bytes (protocol byte + payload), not ABI-wrapped.
    /// Output is the actor ID as a 32-byte word, or empty if the address is not found.
    function resolveAddress(bytes calldata filAddress) external view returns (bool ok, bytes memory output) {
        (ok, output) = RESOLVE_ADDRESS.staticcall(filAddress);
    }

    /// Decoded `resolveAddress`; reverts if the precompile fails (unparsable address).
    function resolveAddressToId(bytes calldata filAddress) external view returns (bool found, uint64 actorId) {
        (bool ok, bytes memory output) = RESOLVE_ADDRESS.staticcall(filAddress);
        require(ok, "FilecoinPrecompiles: resolve_address failed");
        if (output.length == 0) return (false, 0);
        return (true, uint64(abi.decode(output, (uint256))));
    }

    // ---- 0xfe..02 lookup_delegated_address --------------------------------------------------

    /// Output is the raw f4 address bytes (22 bytes for f410: 0x04 0x0a + 20), or empty.
    function lookupDelegatedAddress(uint64 actorId) external view returns (bool ok, bytes memory output) {
        (ok, output) = LOOKUP_DELEGATED_ADDRESS.staticcall(abi.encode(uint256(actorId)));
    }

    // ---- 0xfe..06 get_randomness ------------------------------------------------------------

    /// `epoch` is passed as the raw input word (values above int64 make the precompile fail).
    function getRandomness(uint256 epoch) external view returns (bool ok, bytes memory output) {
        (ok, output) = GET_RANDOMNESS.staticcall(abi.encode(epoch));
    }

    // ---- 0xfe..03 call_actor / 0xfe..05 call_actor_id ---------------------------------------

    /// call_actor by DELEGATECALL. `ok` is false if the precompile failed (bad flags, codec,
    /// method, ...); otherwise the callee's exit code (or a negated syscall error), its return
    /// codec and data.
    function callActor(
        uint64 method,
        uint256 value,
        uint64 flags,
        uint64 codec,
        bytes calldata params,
        bytes calldata filAddress
    ) external payable returns (bool ok, int256 exitCode, uint64 returnCodec, bytes memory returnData) {
        return _delegate(CALL_ACTOR, abi.encode(method, value, flags, codec, params, filAddress));
    }

    /// call_actor_id by DELEGATECALL: like `callActor`, with the target as an actor ID.
    function callActorId(
        uint64 method,
        uint256 value,
        uint64 flags,
        uint64 codec,
        bytes calldata params,
        uint64 actorId
    ) external payable returns (bool ok, int256 exitCode, uint64 returnCodec, bytes memory returnData) {
        return _delegate(CALL_ACTOR_ID, abi.encode(method, value, flags, codec, params, actorId));
    }

    /// Sends `value` attoFIL from this contract's balance to any Filecoin address (e.g. an f1
    /// key address, auto-created as an account) with METHOD_SEND, codec 0 and no params.
    function sendFil(bytes calldata filAddress, uint256 value)
        external
        payable
        returns (bool ok, int256 exitCode)
    {
        (ok, exitCode,,) = _delegate(CALL_ACTOR, abi.encode(METHOD_SEND, value, uint64(0), uint64(0), bytes(""), filAddress));
    }

    /// Calls any precompile with a chosen call kind: 0 = CALL (with `msg.value`),
    /// 1 = STATICCALL, 2 = DELEGATECALL. call_actor refuses anything but DELEGATECALL.
    function callPrecompileAs(address precompile, bytes calldata input, uint8 kind)
        external
        payable
        returns (bool ok, bytes memory output)
    {
        if (kind == 0) {
            (ok, output) = precompile.call{value: msg.value}(input);
        } else if (kind == 1) {
            (ok, output) = precompile.staticcall(input);
        } else {
            (ok, output) = precompile.delegatecall(input);
        }
    }

    function _delegate(address precompile, bytes memory input)
        private
        returns (bool ok, int256 exitCode, uint64 returnCodec, bytes memory returnData)
    {
        bytes memory output;
        (ok, output) = precompile.delegatecall(input);
        if (ok) {
            (exitCode, returnCodec, returnData) = abi.decode(output, (int256, uint64, bytes));
            emit ActorCalled(exitCode, returnCodec, returnData);
        }
    }
}

/// @title FilecoinReceiver
/// @notice Receives native Filecoin method calls (HandleFilecoinMethod, FEVM.md §1.7): the EVM
/// actor turns any method number >= 1024 into a call of
/// `handle_filecoin_method(uint64,uint64,bytes)` (selector 0x868e10c4) and decodes the output
/// as `(uint32 exitCode, uint64 codec, bytes data)`. By default it answers
/// `(0, 0x51, CBOR byte string of the params)`; `setResponse` makes it answer anything else,
/// e.g. a non-zero exit code or an invalid codec.
contract FilecoinReceiver {
    uint64 public lastMethod;
    uint64 public lastCodec;
    bytes public lastParams;
    address public lastCaller;
    uint256 public lastValue;
    uint256 public callCount;

    bool public customResponse;
    uint32 public responseExitCode;
    uint64 public responseCodec;
    bytes public responseData;

    event FilecoinMethodHandled(uint64 indexed method, uint64 codec, bytes params, address caller, uint256 value);

    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        payable
        returns (uint32 exitCode, uint64 returnCodec, bytes memory returnData)
    {
        lastMethod = method;
        lastCodec = codec;
        lastParams = params;
        lastCaller = msg.sender;
        lastValue = msg.value;
        callCount += 1;
        emit FilecoinMethodHandled(method, codec, params, msg.sender, msg.value);
        if (customResponse) {
            return (responseExitCode, responseCodec, responseData);
        }
        return (0, 0x51, cborBytes(params));
    }

    function setResponse(uint32 exitCode, uint64 codec, bytes calldata data) external {
        customResponse = true;
        responseExitCode = exitCode;
        responseCodec = codec;
        responseData = data;
    }

    function clearResponse() external {
        customResponse = false;
        responseExitCode = 0;
        responseCodec = 0;
        delete responseData;
    }

    /// The CBOR encoding of `data` as a byte string (major type 2).
    function cborBytes(bytes memory data) public pure returns (bytes memory) {
        uint256 len = data.length;
        bytes memory header;
        if (len < 24) {
            header = abi.encodePacked(uint8(0x40 + len));
        } else if (len <= type(uint8).max) {
            header = abi.encodePacked(uint8(0x58), uint8(len));
        } else if (len <= type(uint16).max) {
            header = abi.encodePacked(uint8(0x59), uint16(len));
        } else if (len <= type(uint32).max) {
            header = abi.encodePacked(uint8(0x5a), uint32(len));
        } else {
            header = abi.encodePacked(uint8(0x5b), uint64(len));
        }
        return bytes.concat(header, data);
    }
}
