"""web3.py 8 against a real fevm.

Deployments (constructor arguments), calls, transactions signed locally
(sign_transaction + send_raw_transaction) and by the node (transact from
w3.eth.accounts), receipts, events (process_receipt, get_logs, create_filter),
revert reasons, balances, chain id and blocks by tag and number.

Run through test.sh, which starts a fresh fevm and passes its URL in FEVM_URL.
"""

import json
import os
from pathlib import Path

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError

URL = os.environ.get("FEVM_URL")
CHAIN_ID = int(os.environ.get("FEVM_CHAIN_ID", "31415926"))
REPO_ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO_ROOT / "solidity-fixtures" / "artifacts"

# The default dev keys (the `test test ... junk` mnemonic), the same as Hardhat's and anvil's.
DEV_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
]
DEV_ADDRESSES = [
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
]
FIL = 10**18
ZERO_ADDRESS = "0x" + "00" * 20
RECEIPT_TIMEOUT = 30


def artifact(name):
    data = json.loads((ARTIFACTS / f"{name}.json").read_text())
    return data["abi"], data["bytecode"]["object"], data["deployedBytecode"]["object"]


@pytest.fixture(scope="module")
def w3():
    if not URL:
        pytest.fail("FEVM_URL is not set: run this suite through web3py/test.sh")
    web3 = Web3(Web3.HTTPProvider(URL, request_kwargs={"timeout": 60}))
    assert web3.is_connected()
    return web3


def wait(w3, tx_hash):
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=0.05)


def send_signed(w3, tx, key):
    """Signs `tx` locally with `key`, sends it raw and waits for the receipt."""
    signed = w3.eth.account.sign_transaction(tx, key)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    assert tx_hash == signed.hash
    return wait(w3, tx_hash)


def deploy_signed(w3, name, args, key):
    """Deploys `name` from a local key; returns the contract and the receipt."""
    abi, bytecode, _ = artifact(name)
    sender = w3.eth.account.from_key(key).address
    tx = (
        w3.eth.contract(abi=abi, bytecode=bytecode)
        .constructor(*args)
        .build_transaction({"from": sender, "nonce": w3.eth.get_transaction_count(sender)})
    )
    receipt = send_signed(w3, tx, key)
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=abi), receipt


def deploy_from_node(w3, name, args, sender):
    """Deploys `name` with eth_sendTransaction from one of the node's accounts."""
    abi, bytecode, _ = artifact(name)
    tx_hash = w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args).transact({"from": sender})
    receipt = wait(w3, tx_hash)
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=abi), receipt


def error_data(name, *args):
    """ABI-encoded `name(args)` revert data, as hex."""
    types = name[name.index("(") + 1 : -1].split(",") if not name.endswith("()") else []
    return "0x" + (Web3.keccak(text=name)[:4] + abi_encode(types, list(args))).hex()


# ---------------------------------------------------------------------------------------------
# Chain identity and blocks


def test_chain_id_and_net_version(w3):
    assert w3.eth.chain_id == CHAIN_ID
    assert w3.net.version == str(CHAIN_ID)
    assert isinstance(w3.client_version, str) and w3.client_version


def test_blocks_by_number_and_tag(w3):
    earliest = w3.eth.get_block("earliest")
    genesis = w3.eth.get_block(0)
    assert earliest.number == 0
    assert earliest.hash == genesis.hash
    assert len(genesis.hash) == 32

    # Mine something so the chain has more than the genesis block.
    _, receipt = deploy_from_node(w3, "Counter", [], w3.eth.accounts[0])
    latest = w3.eth.get_block("latest")
    assert latest.number >= receipt.blockNumber >= 1
    assert w3.eth.block_number == latest.number
    by_number = w3.eth.get_block(receipt.blockNumber, full_transactions=True)
    assert by_number.hash == receipt.blockHash
    assert [tx.hash for tx in by_number.transactions] == [receipt.transactionHash]
    assert by_number.transactions[0]["from"] == w3.eth.accounts[0]
    assert w3.eth.get_block(receipt.blockHash).number == receipt.blockNumber
    parent = w3.eth.get_block(receipt.blockNumber - 1)
    assert by_number.parentHash == parent.hash
    assert by_number.timestamp >= parent.timestamp
    assert by_number.gasLimit == 10_000_000_000
    assert by_number.baseFeePerGas > 0


def test_node_accounts_are_the_funded_dev_accounts(w3):
    accounts = w3.eth.accounts
    assert accounts[: len(DEV_ADDRESSES)] == DEV_ADDRESSES
    for key, address in zip(DEV_KEYS, DEV_ADDRESSES):
        assert w3.eth.account.from_key(key).address == address
    assert w3.eth.get_balance(DEV_ADDRESSES[4]) > 1000 * FIL


# ---------------------------------------------------------------------------------------------
# ERC-20, signed locally


def test_token_deploy_call_and_signed_transfer(w3):
    key, owner = DEV_KEYS[1], DEV_ADDRESSES[1]
    recipient = DEV_ADDRESSES[2]
    supply = 1_000_000 * FIL
    token, deployment = deploy_signed(w3, "Token", [supply], key)

    # The deployment receipt and the code it installed.
    assert deployment["from"] == owner
    assert deployment.to is None
    assert deployment.gasUsed > 0
    assert w3.eth.get_code(token.address).to_0x_hex() == artifact("Token")[2]

    # Views see the constructor's state.
    assert token.functions.name().call() == "Fixture Token"
    assert token.functions.symbol().call() == "FIX"
    assert token.functions.decimals().call() == 18
    assert token.functions.totalSupply().call() == supply
    assert token.functions.balanceOf(owner).call() == supply
    assert token.functions.balanceOf(recipient).call() == 0

    # The constructor's mint event, decoded from the deployment receipt.
    (mint,) = token.events.Transfer().process_receipt(deployment)
    assert mint.args["from"] == ZERO_ADDRESS
    assert mint.args.to == owner
    assert mint.args.value == supply

    # A transfer built by web3.py, signed locally, sent raw.
    amount = 4321 * FIL
    tx = token.functions.transfer(recipient, amount).build_transaction(
        {"from": owner, "nonce": w3.eth.get_transaction_count(owner)}
    )
    assert tx["chainId"] == CHAIN_ID
    receipt = send_signed(w3, tx, key)
    assert receipt.status == 1
    assert receipt.to == token.address
    (event,) = token.events.Transfer().process_receipt(receipt)
    assert event.address == token.address
    assert event.args["from"] == owner
    assert event.args.to == recipient
    assert event.args.value == amount
    assert event.transactionHash == receipt.transactionHash
    assert event.blockNumber == receipt.blockNumber

    assert token.functions.balanceOf(owner).call() == supply - amount
    assert token.functions.balanceOf(recipient).call() == amount
    # Reading at the deployment block still sees the old balance.
    assert token.functions.balanceOf(recipient).call(block_identifier=deployment.blockNumber) == 0

    # The transaction as the node reports it.
    sent = w3.eth.get_transaction(receipt.transactionHash)
    assert sent["from"] == owner
    assert sent.to == token.address
    assert sent.nonce == tx["nonce"]
    assert sent.blockHash == receipt.blockHash
    assert sent.input[:4] == Web3.keccak(text="transfer(address,uint256)")[:4]

    # get_logs over the whole chain: the mint and the transfer, and an indexed-argument filter.
    logs = token.events.Transfer.get_logs(from_block=0)
    assert [(e.args["from"], e.args.to, e.args.value) for e in logs] == [
        (ZERO_ADDRESS, owner, supply),
        (owner, recipient, amount),
    ]
    to_recipient = token.events.Transfer.get_logs(from_block=0, argument_filters={"to": recipient})
    assert [e.transactionHash for e in to_recipient] == [receipt.transactionHash]
    assert len(token.events.Transfer.get_logs(from_block=0, argument_filters={"from": recipient})) == 0
    assert len(token.events.Approval.get_logs(from_block=0)) == 0

    # The raw eth_getLogs: address + topic0.
    raw = w3.eth.get_logs(
        {
            "fromBlock": deployment.blockNumber,
            "toBlock": "latest",
            "address": token.address,
            "topics": [Web3.keccak(text="Transfer(address,address,uint256)").to_0x_hex()],
        }
    )
    assert [log.transactionHash for log in raw] == [deployment.transactionHash, receipt.transactionHash]
    assert int.from_bytes(raw[1].data, "big") == amount


def test_token_custom_error_on_overdraft(w3):
    key, owner = DEV_KEYS[1], DEV_ADDRESSES[1]
    token, _ = deploy_signed(w3, "Token", [100], key)
    with pytest.raises(ContractCustomError) as info:
        token.functions.transfer(DEV_ADDRESSES[2], 101).call({"from": owner})
    assert info.value.data == error_data("InsufficientBalance(address,uint256,uint256)", owner, 100, 101)
    with pytest.raises(ContractCustomError) as info:
        token.functions.transfer(ZERO_ADDRESS, 1).call({"from": owner})
    assert info.value.data == error_data("ZeroAddress()")


# ---------------------------------------------------------------------------------------------
# Counter through the node's own accounts (eth_sendTransaction)


def test_counter_transact_from_node_account(w3):
    sender = w3.eth.accounts[0]
    counter, _ = deploy_from_node(w3, "Counter", [], sender)
    assert counter.functions.get().call() == 0

    nonce = w3.eth.get_transaction_count(sender)
    receipt = wait(w3, counter.functions.increment().transact({"from": sender}))
    assert receipt.status == 1
    assert receipt["from"] == sender
    assert w3.eth.get_transaction_count(sender) == nonce + 1
    assert counter.functions.count().call() == 1

    receipt = wait(w3, counter.functions.add(41).transact({"from": sender}))
    (changed,) = counter.events.CountChanged().process_receipt(receipt)
    assert changed.args.by == sender
    assert changed.args.oldValue == 1
    assert changed.args.newValue == 42
    assert counter.functions.get().call() == 42

    wait(w3, counter.functions.set(7).transact({"from": sender}))
    assert counter.functions.get().call() == 7
    assert int.from_bytes(w3.eth.get_storage_at(counter.address, 0), "big") == 7
    assert counter.functions.get().call(block_identifier=receipt.blockNumber) == 42

    events = counter.events.CountChanged.get_logs(from_block=0, argument_filters={"by": sender})
    assert [(e.args.oldValue, e.args.newValue) for e in events] == [(0, 1), (1, 42), (42, 7)]


def test_create_filter_sees_new_events(w3):
    sender = w3.eth.accounts[0]
    counter, deployment = deploy_from_node(w3, "Counter", [], sender)
    event_filter = counter.events.CountChanged.create_filter(from_block=deployment.blockNumber)
    assert event_filter.get_new_entries() == []

    first = wait(w3, counter.functions.set(5).transact({"from": sender}))
    second = wait(w3, counter.functions.add(3).transact({"from": sender}))
    new = event_filter.get_new_entries()
    assert [(e.args.oldValue, e.args.newValue) for e in new] == [(0, 5), (5, 8)]
    assert [e.transactionHash for e in new] == [first.transactionHash, second.transactionHash]
    # Polled entries are not returned twice; get_all_entries re-runs the whole query.
    assert event_filter.get_new_entries() == []
    assert len(event_filter.get_all_entries()) == 2

    # A filter on the indexed argument that matches nobody.
    other = counter.events.CountChanged.create_filter(
        from_block=deployment.blockNumber, argument_filters={"by": DEV_ADDRESSES[4]}
    )
    assert other.get_all_entries() == []
    assert w3.eth.uninstall_filter(event_filter.filter_id)
    assert w3.eth.uninstall_filter(other.filter_id)

    # A block filter reports the hashes of blocks mined after it was made.
    block_filter = w3.eth.filter("latest")
    third = wait(w3, counter.functions.increment().transact({"from": sender}))
    assert third.blockHash in block_filter.get_new_entries()
    assert w3.eth.uninstall_filter(block_filter.filter_id)


# ---------------------------------------------------------------------------------------------
# Value transfers


def test_value_transfer_signed_locally(w3):
    key, sender = DEV_KEYS[3], DEV_ADDRESSES[3]
    recipient = w3.eth.account.create().address
    value = 2 * FIL + 13
    sender_before = w3.eth.get_balance(sender)
    assert w3.eth.get_balance(recipient) == 0

    latest = w3.eth.get_block("latest")
    tip = w3.eth.max_priority_fee
    tx = {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": w3.eth.get_transaction_count(sender),
        "to": recipient,
        "value": value,
        "gas": w3.eth.estimate_gas({"from": sender, "to": recipient, "value": value}),
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": 2 * latest.baseFeePerGas + tip,
    }
    receipt = send_signed(w3, tx, key)
    assert receipt.status == 1
    assert receipt.to == recipient
    assert receipt.logs == []
    assert w3.eth.get_balance(recipient) == value
    spent = sender_before - w3.eth.get_balance(sender)
    # Filecoin settles fees its own way, but the sender pays at most gas limit x fee cap on top.
    assert value < spent <= value + tx["gas"] * tx["maxFeePerGas"]
    # Balances at the previous block are unchanged.
    assert w3.eth.get_balance(recipient, block_identifier=receipt.blockNumber - 1) == 0


def test_value_transfer_from_node_account(w3):
    sender = w3.eth.accounts[0]
    recipient = DEV_ADDRESSES[4]
    value = 7 * FIL
    before = w3.eth.get_balance(recipient)
    tx_hash = w3.eth.send_transaction({"from": sender, "to": recipient, "value": value})
    receipt = wait(w3, tx_hash)
    assert receipt.status == 1
    assert receipt["from"] == sender
    assert w3.eth.get_balance(recipient) == before + value
    assert w3.eth.get_transaction(tx_hash).value == value


def test_legacy_eip155_transaction(w3):
    key, sender = DEV_KEYS[2], DEV_ADDRESSES[2]
    counter, _ = deploy_signed(w3, "Counter", [], key)
    data = counter.encode_abi("set", args=[99])
    tx = {
        "chainId": CHAIN_ID,
        "nonce": w3.eth.get_transaction_count(sender),
        "to": counter.address,
        "data": data,
        "value": 0,
        "gas": w3.eth.estimate_gas({"from": sender, "to": counter.address, "data": data}),
        "gasPrice": 2 * w3.eth.gas_price,
    }
    receipt = send_signed(w3, tx, key)
    assert receipt.status == 1
    assert receipt.type == 0
    assert counter.functions.get().call() == 99
    assert w3.eth.get_transaction(receipt.transactionHash).chainId == CHAIN_ID


# ---------------------------------------------------------------------------------------------
# Reverts


@pytest.fixture(scope="module")
def reverter(w3):
    contract, _ = deploy_signed(w3, "Reverter", [], DEV_KEYS[1])
    return contract


def test_require_reason_in_contract_logic_error(w3, reverter):
    assert reverter.functions.requireWithMessage(True).call() is True
    with pytest.raises(ContractLogicError) as info:
        reverter.functions.requireWithMessage(False).call()
    assert info.value.message == "execution reverted: Reverter: require failed"
    assert info.value.data == error_data("Error(string)", "Reverter: require failed")


def test_revert_reason_on_transact_and_estimate(w3, reverter):
    sender = w3.eth.accounts[0]
    nonce = w3.eth.get_transaction_count(sender)
    with pytest.raises(ContractLogicError, match="execution reverted: boom from python"):
        reverter.functions.revertWithMessage("boom from python").transact({"from": sender})
    with pytest.raises(ContractLogicError, match="execution reverted: estimate me"):
        reverter.functions.revertWithMessage("estimate me").estimate_gas({"from": sender})
    # Nothing was sent.
    assert w3.eth.get_transaction_count(sender) == nonce


def test_custom_error_and_panic(w3, reverter):
    sender = DEV_ADDRESSES[3]
    with pytest.raises(ContractCustomError) as info:
        reverter.functions.revertWithCustomError(77).call({"from": sender})
    data = bytes.fromhex(info.value.data[2:])
    assert data[:4] == Web3.keccak(text="CustomError(uint256,address,string)")[:4]
    assert abi_decode(["uint256", "address", "string"], data[4:]) == (77, sender.lower(), "custom")

    with pytest.raises(ContractPanicError) as info:
        reverter.functions.panicDivisionByZero(0).call()
    assert "0x12" in info.value.message
    assert reverter.functions.panicDivisionByZero(4).call() == 25


def test_mined_revert_rolls_back_state(w3, reverter):
    key, sender = DEV_KEYS[4], DEV_ADDRESSES[4]
    receipt = send_signed(
        w3,
        reverter.functions.set(5).build_transaction({"from": sender, "nonce": w3.eth.get_transaction_count(sender)}),
        key,
    )
    assert receipt.status == 1
    assert reverter.functions.value().call() == 5

    # With an explicit gas limit web3.py does not estimate, so the revert is mined.
    tx = reverter.functions.setThenRevert(6).build_transaction(
        {"from": sender, "nonce": w3.eth.get_transaction_count(sender), "gas": 50_000_000}
    )
    failed = send_signed(w3, tx, key)
    assert failed.status == 0
    assert failed.logs == []
    assert reverter.functions.value().call() == 5
    # Replaying the failed transaction as a call at its block's parent gives the reason.
    with pytest.raises(ContractLogicError, match="execution reverted: Reverter: rolled back"):
        w3.eth.call(
            {"from": sender, "to": reverter.address, "data": tx["data"]},
            block_identifier=failed.blockNumber - 1,
        )
