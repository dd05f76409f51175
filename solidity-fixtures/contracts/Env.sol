// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Env
/// @notice The environment opcodes (FEVM.md §3.3, §3.4). On FEVM: NUMBER is the epoch,
/// COINBASE is 0, GASLIMIT is 10,000,000,000, PREVRANDAO is derived from the beacon, CALLER and
/// ORIGIN are f410 or masked-ID addresses, BLOCKHASH is a tipset-CID digest, and
/// EXTCODESIZE/HASH/COPY follow FEVM's per-actor-type table, and BLOBHASH / BLOBBASEFEE are
/// undefined (exit 35). CLZ is in `Clz`.
contract Env {
    event EnvRecorded(
        uint256 number,
        uint256 timestamp,
        uint256 chainId,
        uint256 baseFee,
        uint256 gasPrice,
        address origin,
        address sender,
        uint256 value
    );

    receive() external payable {}

    function blockNumber() external view returns (uint256) {
        return block.number;
    }

    function timestamp() external view returns (uint256) {
        return block.timestamp;
    }

    function coinbase() external view returns (address) {
        return block.coinbase;
    }

    function prevrandao() external view returns (uint256) {
        return block.prevrandao;
    }

    function gasLimit() external view returns (uint256) {
        return block.gaslimit;
    }

    function chainId() external view returns (uint256) {
        return block.chainid;
    }

    function baseFee() external view returns (uint256) {
        return block.basefee;
    }

    function gasPrice() external view returns (uint256) {
        return tx.gasprice;
    }

    function origin() external view returns (address) {
        return tx.origin;
    }

    function sender() external view returns (address) {
        return msg.sender;
    }

    function callValue() external payable returns (uint256) {
        return msg.value;
    }

    function thisAddress() external view returns (address) {
        return address(this);
    }

    function gasLeft() external view returns (uint256) {
        return gasleft();
    }

    function blockHash(uint256 number) external view returns (bytes32) {
        return blockhash(number);
    }

    /// BALANCE of any address (0 for unknown ones).
    function balanceOf(address account) external view returns (uint256) {
        return account.balance;
    }

    /// SELFBALANCE.
    function selfBalance() external view returns (uint256) {
        return address(this).balance;
    }

    function codeSize(address account) external view returns (uint256 size) {
        assembly {
            size := extcodesize(account)
        }
    }

    function codeHash(address account) external view returns (bytes32 hash) {
        assembly {
            hash := extcodehash(account)
        }
    }

    /// EXTCODECOPY of the whole code (`account.code`).
    function code(address account) external view returns (bytes memory) {
        return account.code;
    }

    /// EXTCODECOPY of `length` bytes from `offset` (zero-padded past the end of the code).
    function codeCopy(address account, uint256 offset, uint256 length) external view returns (bytes memory out) {
        out = new bytes(length);
        assembly {
            extcodecopy(account, add(out, 32), offset, length)
        }
    }

    /// BLOBHASH (0x49): an undefined instruction on FEVM (exit 35).
    function blobHash(uint256 index) external view returns (bytes32) {
        return blobhash(index);
    }

    /// BLOBBASEFEE (0x4a): an undefined instruction on FEVM (exit 35).
    function blobBaseFee() external view returns (uint256) {
        return block.blobbasefee;
    }

    /// Several values at once, for one eth_call.
    function snapshot()
        external
        view
        returns (
            uint256 number,
            uint256 time,
            uint256 chain,
            uint256 fee,
            uint256 price,
            uint256 limit,
            address miner,
            address txOrigin,
            address caller,
            uint256 randao
        )
    {
        return (
            block.number,
            block.timestamp,
            block.chainid,
            block.basefee,
            tx.gasprice,
            block.gaslimit,
            block.coinbase,
            tx.origin,
            msg.sender,
            block.prevrandao
        );
    }

    /// Emits `EnvRecorded` from inside a transaction.
    function record() external payable {
        emit EnvRecorded(
            block.number, block.timestamp, block.chainid, block.basefee, tx.gasprice, tx.origin, msg.sender, msg.value
        );
    }
}

/// @title ConstructorEnv
/// @notice Records what a constructor sees about itself: EXTCODESIZE 0 and EXTCODEHASH
/// keccak256("") (its code is not installed yet), its creator and the endowment.
contract ConstructorEnv {
    uint256 public codeSizeInConstructor;
    bytes32 public codeHashInConstructor;
    address public selfInConstructor;
    address public creator;
    address public originInConstructor;
    uint256 public valueInConstructor;

    constructor() payable {
        address self = address(this);
        uint256 size;
        bytes32 hash;
        assembly {
            size := extcodesize(self)
            hash := extcodehash(self)
        }
        codeSizeInConstructor = size;
        codeHashInConstructor = hash;
        selfInConstructor = self;
        creator = msg.sender;
        originInConstructor = tx.origin;
        valueInConstructor = msg.value;
    }
}
