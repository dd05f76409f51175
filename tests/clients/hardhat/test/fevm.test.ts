// Hardhat 3 (hardhat-ethers and hardhat-viem) against a real fevm, over a `type: "http"` network.
//
// test.sh runs this file twice, each time against a fresh node:
//   `hardhat test nodejs --network fevmLocal`  - Hardhat signs with the dev keys (eth_sendRawTransaction);
//   `hardhat test nodejs --network fevmRemote` - `accounts: "remote"`: the node signs (eth_sendTransaction).
// Everything else is the same, so the two runs check that both signing paths give the same results.
//
// FEVM charges Filecoin gas (an ERC-20 transfer costs millions), so no test asserts an Ethereum
// gas number; fee checks use the node's own receipt fields instead.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { network } from "hardhat";
import { BaseError, ContractFunctionRevertedError, getAddress, parseEther, zeroAddress } from "viem";

const CHAIN_ID = 31415926;
// The first accounts of the "test test ... junk" mnemonic, which fevm funds at genesis.
const DEV_ADDRESSES = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
];
const STEP_REVERT = "Counter: step must be positive";
const BALANCE_REVERT = "Token: balance too low";
const ALLOWANCE_REVERT = "Token: allowance exceeded";
const BUY_REVERT = "Token: send some FIL";

const connection = await network.create();
const { ethers, viem, networkName } = connection;
const mode = networkName === "fevmRemote" ? "remote" : "local";

/** A fresh address nobody has used, so its balance starts at zero. */
function freshAddress(): string {
  return ethers.Wallet.createRandom().address;
}

/**
 * The revert string an ethers-side error carries, from either of the two shapes it comes in:
 * - an ethers CALL_EXCEPTION (eth_call, or eth_estimateGas issued by ethers itself), whose `reason`
 *   ethers decoded from the revert data;
 * - Hardhat's ProviderError, the node's JSON-RPC error passed through unchanged: a contract write
 *   goes to Hardhat's provider as eth_sendTransaction, and Hardhat estimates the gas itself, so a
 *   revert in that estimate surfaces as the node's answer. fevm answers as geth does: code 3,
 *   message "execution reverted: <reason>", data = the ABI-encoded Error(string). Check all three.
 */
function ethersRevertReason(error: unknown): string | undefined {
  const e = error as { reason?: string | null; code?: unknown; data?: unknown; message?: string };
  if (typeof e.reason === "string") return e.reason;
  if (e.code === 3 && typeof e.data === "string" && e.data.startsWith("0x08c379a0")) {
    const [reason] = ethers.AbiCoder.defaultAbiCoder().decode(["string"], "0x" + e.data.slice(10));
    assert.equal(e.message, `execution reverted: ${reason}`);
    return reason as string;
  }
  return undefined;
}

/** The revert data (hex) an ethers error carries, for custom errors. */
function ethersRevertData(error: unknown): string | undefined {
  const e = error as { data?: string };
  return typeof e.data === "string" ? e.data : undefined;
}

/** The ContractFunctionRevertedError inside a viem error, if any. */
function viemRevert(error: unknown): ContractFunctionRevertedError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const found = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return found instanceof ContractFunctionRevertedError ? found : undefined;
}

describe(`hardhat-ethers on fevm (${mode} accounts)`, () => {
  it("talks to the fevm chain and has the dev accounts as signers", async () => {
    const net = await ethers.provider.getNetwork();
    assert.equal(net.chainId, BigInt(CHAIN_ID));
    const signers = await ethers.getSigners();
    assert.ok(signers.length >= 3, `expected at least 3 signers, got ${signers.length}`);
    assert.deepEqual(
      signers.slice(0, 3).map((s) => s.address),
      DEV_ADDRESSES,
    );
    const balance = await ethers.provider.getBalance(signers[0].address);
    assert.ok(balance > parseEther("1000"), `dev account 0 has only ${balance} attoFIL`);
  });

  it("transfers value and charges the sender exactly value + fee", async () => {
    const [sender] = await ethers.getSigners();
    const to = freshAddress();
    const value = parseEther("1.25");
    const before = await ethers.provider.getBalance(sender.address);

    const tx = await sender.sendTransaction({ to, value });
    const receipt = await tx.wait();
    assert.ok(receipt, "no receipt");
    assert.equal(receipt.status, 1);
    assert.equal(receipt.from, sender.address);
    assert.equal(receipt.to, getAddress(to));
    assert.ok(receipt.blockNumber > 0);

    assert.equal(await ethers.provider.getBalance(to), value);
    const after = await ethers.provider.getBalance(sender.address);
    // fevm reports effectiveGasPrice = floor(total fee / gasUsed), so the fee the sender paid is
    // gasUsed * effectiveGasPrice plus a remainder below gasUsed.
    const fee = before - after - value;
    const priced = receipt.gasUsed * receipt.gasPrice;
    assert.ok(receipt.gasUsed > 0n && receipt.gasPrice > 0n, "receipt has no gas fields");
    assert.ok(fee >= priced && fee - priced < receipt.gasUsed, `fee ${fee} vs gasUsed*price ${priced}`);

    const fetched = await ethers.provider.getTransaction(tx.hash);
    assert.ok(fetched);
    assert.equal(fetched.value, value);
    assert.equal(fetched.from, sender.address);
  });

  describe("Counter", () => {
    let counter: Awaited<ReturnType<typeof ethers.deployContract>>;
    let address: string;

    before(async () => {
      counter = await ethers.deployContract("Counter", [41n, "ethers"]);
      await counter.waitForDeployment();
      address = await counter.getAddress();
    });

    it("deploys with constructor arguments", async () => {
      const [deployer] = await ethers.getSigners();
      assert.notEqual(await ethers.provider.getCode(address), "0x");
      assert.equal(await counter.count(), 41n);
      assert.equal(await counter.label(), "ethers");
      assert.equal(await counter.owner(), deployer.address);
      const deployTx = counter.deploymentTransaction();
      assert.ok(deployTx);
      const receipt = await deployTx.wait();
      assert.equal(receipt?.status, 1);
      assert.equal(receipt?.contractAddress, address);
    });

    it("emits Stepped with its arguments", async () => {
      const [caller] = await ethers.getSigners();
      const receipt = await (await counter.stepBy(5n)).wait();
      assert.equal(receipt?.status, 1);
      assert.equal(receipt?.logs.length, 1);
      const parsed = counter.interface.parseLog(receipt!.logs[0]);
      assert.equal(parsed?.name, "Stepped");
      assert.equal(parsed?.args.by, caller.address);
      assert.equal(parsed?.args.step, 5n);
      assert.equal(parsed?.args.newCount, 46n);
      assert.equal(receipt!.logs[0].address, address);
      assert.equal(await counter.count(), 46n);

      // The same event through eth_getLogs, filtered on the indexed `by` topic.
      const events = await counter.queryFilter(counter.filters.Stepped(caller.address), receipt!.blockNumber);
      assert.equal(events.length, 1);
      assert.equal((events[0] as { args: unknown[] }).args[2], 46n);
      assert.equal(events[0].transactionHash, receipt!.hash);
    });

    it("rejects a zero step with the require message", async () => {
      await assert.rejects(counter.stepBy(0n), (error) => {
        assert.equal(ethersRevertReason(error), STEP_REVERT, String(error));
        return true;
      });
      await assert.rejects(counter.stepBy.staticCall(0n), (error) => {
        assert.equal(ethersRevertReason(error), STEP_REVERT, String(error));
        return true;
      });
      assert.equal(await counter.count(), 46n);
    });

    it("decodes the NotOwner custom error", async () => {
      const [owner, other] = await ethers.getSigners();
      await assert.rejects(counter.connect(other).reset.staticCall(), (error) => {
        const data = ethersRevertData(error);
        assert.ok(data, `no revert data in ${String(error)}`);
        const decoded = counter.interface.parseError(data);
        assert.equal(decoded?.name, "NotOwner");
        assert.equal(decoded?.args.caller, other.address);
        assert.equal(decoded?.args.owner, owner.address);
        return true;
      });
    });

    it("mines a reverting transaction with status 0 when gas is given", async () => {
      const [sender] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(sender.address);
      // An explicit gas limit skips eth_estimateGas, so the transaction reaches the chain and fails.
      const tx = await counter.stepBy(0n, { gasLimit: 50_000_000n });
      await assert.rejects(tx.wait(), (error: { code?: string; receipt?: { status: number } }) => {
        assert.equal(error.code, "CALL_EXCEPTION");
        assert.equal(error.receipt?.status, 0);
        return true;
      });
      const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
      assert.equal(receipt?.status, 0);
      assert.equal(await ethers.provider.getTransactionCount(sender.address), nonce + 1);
      assert.equal(await counter.count(), 46n);
    });
  });

  describe("Token", () => {
    const supply = 1_000_000n * 10n ** 18n;
    const rate = 1000n;
    let token: Awaited<ReturnType<typeof ethers.deployContract>>;
    let address: string;

    before(async () => {
      token = await ethers.deployContract("Token", ["Fevm Token", "FVT", supply, rate]);
      await token.waitForDeployment();
      address = await token.getAddress();
    });

    it("mints the supply to the deployer in the constructor", async () => {
      const [deployer] = await ethers.getSigners();
      assert.equal(await token.name(), "Fevm Token");
      assert.equal(await token.symbol(), "FVT");
      assert.equal(await token.decimals(), 18n);
      assert.equal(await token.totalSupply(), supply);
      assert.equal(await token.balanceOf(deployer.address), supply);
      const receipt = await token.deploymentTransaction()!.wait();
      const mint = token.interface.parseLog(receipt!.logs[0]);
      assert.equal(mint?.name, "Transfer");
      assert.deepEqual([...mint!.args], [ethers.ZeroAddress, deployer.address, supply]);
    });

    it("transfers tokens and emits Transfer", async () => {
      const [deployer, alice] = await ethers.getSigners();
      const amount = 1234n * 10n ** 18n;
      const receipt = await (await token.transfer(alice.address, amount)).wait();
      assert.equal(receipt?.status, 1);
      const log = token.interface.parseLog(receipt!.logs[0]);
      assert.equal(log?.name, "Transfer");
      assert.deepEqual([...log!.args], [deployer.address, alice.address, amount]);
      assert.equal(await token.balanceOf(alice.address), amount);
      assert.equal(await token.balanceOf(deployer.address), supply - amount);
    });

    it("reverts an overdraft and an over-allowance with their messages", async () => {
      const [deployer, alice, bob] = await ethers.getSigners();
      await assert.rejects(token.connect(bob).transfer(alice.address, 1n), (error) => {
        assert.equal(ethersRevertReason(error), BALANCE_REVERT, String(error));
        return true;
      });
      const approval = await (await token.approve(bob.address, 10n)).wait();
      const approved = token.interface.parseLog(approval!.logs[0]);
      assert.deepEqual([...approved!.args], [deployer.address, bob.address, 10n]);
      await assert.rejects(token.connect(bob).transferFrom(deployer.address, bob.address, 11n), (error) => {
        assert.equal(ethersRevertReason(error), ALLOWANCE_REVERT, String(error));
        return true;
      });
      await (await token.connect(bob).transferFrom(deployer.address, bob.address, 10n)).wait();
      assert.equal(await token.balanceOf(bob.address), 10n);
      assert.equal(await token.allowance(deployer.address, bob.address), 0n);
    });

    it("buy() takes FIL, mints at the rate and holds the value", async () => {
      const [, alice] = await ethers.getSigners();
      const value = parseEther("0.5");
      const quoted = await token.connect(alice).buy.staticCall({ value });
      assert.equal(quoted, value * rate);
      const before = await token.balanceOf(alice.address);
      const receipt = await (await token.connect(alice).buy({ value })).wait();
      assert.equal(receipt?.status, 1);
      const mint = token.interface.parseLog(receipt!.logs[0]);
      assert.deepEqual([...mint!.args], [ethers.ZeroAddress, alice.address, value * rate]);
      assert.equal(await token.balanceOf(alice.address), before + value * rate);
      assert.equal(await ethers.provider.getBalance(address), value);
      await assert.rejects(token.connect(alice).buy({ value: 0n }), (error) => {
        assert.equal(ethersRevertReason(error), BUY_REVERT, String(error));
        return true;
      });
    });
  });
});

describe(`hardhat-viem on fevm (${mode} accounts)`, () => {
  it("has a public client on the fevm chain and wallet clients for the dev accounts", async () => {
    const publicClient = await viem.getPublicClient();
    assert.equal(await publicClient.getChainId(), CHAIN_ID);
    const wallets = await viem.getWalletClients();
    assert.ok(wallets.length >= 3);
    assert.deepEqual(
      wallets.slice(0, 3).map((w) => getAddress(w.account.address)),
      DEV_ADDRESSES,
    );
    assert.ok((await publicClient.getBlockNumber()) > 0n);
  });

  it("sends value and the recipient receives exactly that amount", async () => {
    const publicClient = await viem.getPublicClient();
    const [wallet] = await viem.getWalletClients();
    const to = getAddress(freshAddress());
    const value = parseEther("2");
    const before = await publicClient.getBalance({ address: wallet.account.address });
    const hash = await wallet.sendTransaction({ to, value });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(await publicClient.getBalance({ address: to }), value);
    const after = await publicClient.getBalance({ address: wallet.account.address });
    const fee = before - after - value;
    const priced = receipt.gasUsed * receipt.effectiveGasPrice;
    assert.ok(fee >= priced && fee - priced < receipt.gasUsed, `fee ${fee} vs gasUsed*price ${priced}`);
  });

  describe("Counter", () => {
    let counter: Awaited<ReturnType<typeof viem.deployContract<"Counter">>>;

    before(async () => {
      counter = await viem.deployContract("Counter", [7n, "viem"]);
    });

    it("deploys with constructor arguments", async () => {
      const publicClient = await viem.getPublicClient();
      const [wallet] = await viem.getWalletClients();
      const code = await publicClient.getCode({ address: counter.address });
      assert.ok(code && code.length > 2, "no code at the deployed address");
      assert.equal(await counter.read.count(), 7n);
      assert.equal(await counter.read.label(), "viem");
      assert.equal(getAddress(await counter.read.owner()), getAddress(wallet.account.address));
    });

    it("writes, and the Stepped event carries its arguments", async () => {
      const publicClient = await viem.getPublicClient();
      const [wallet] = await viem.getWalletClients();
      const fromBlock = await publicClient.getBlockNumber();
      const hash = await counter.write.stepBy([3n]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, "success");
      assert.equal(await counter.read.count(), 10n);

      const events = await counter.getEvents.Stepped({}, { fromBlock });
      assert.equal(events.length, 1);
      assert.equal(getAddress(events[0].args.by!), getAddress(wallet.account.address));
      assert.equal(events[0].args.step, 3n);
      assert.equal(events[0].args.newCount, 10n);
      assert.equal(events[0].transactionHash, hash);

      // hardhat-viem's write resolves with the hash once the node accepts the transaction; wait
      // for the receipt before reading, as on any chain. (fevm's instant mining now answers
      // eth_send* only after inclusion, as anvil does; before that, a read right after the write
      // saw the old count about once in eight runs.)
      const incremented = await counter.write.increment();
      assert.equal((await publicClient.waitForTransactionReceipt({ hash: incremented })).status, "success");
      assert.equal(await counter.read.count(), 11n);
    });

    it("rejects a zero step with the require message", async () => {
      await assert.rejects(counter.simulate.stepBy([0n]), (error) => {
        assert.equal(viemRevert(error)?.reason, STEP_REVERT, String(error));
        return true;
      });
      await assert.rejects(counter.write.stepBy([0n]), (error) => {
        assert.ok(String(error).includes(STEP_REVERT), String(error));
        return true;
      });
      assert.equal(await counter.read.count(), 11n);
    });

    it("decodes the NotOwner custom error", async () => {
      const [owner, other] = await viem.getWalletClients();
      const asOther = await viem.getContractAt("Counter", counter.address, { client: { wallet: other } });
      await assert.rejects(asOther.simulate.reset({ account: other.account }), (error) => {
        const revert = viemRevert(error);
        assert.equal(revert?.data?.errorName, "NotOwner", String(error));
        assert.deepEqual(
          revert?.data?.args?.map((a) => getAddress(a as string)),
          [getAddress(other.account.address), getAddress(owner.account.address)],
        );
        return true;
      });
    });
  });

  describe("Token", () => {
    it("deploys, transfers, buys and reads Transfer events", async () => {
      const publicClient = await viem.getPublicClient();
      const [deployer, alice] = await viem.getWalletClients();
      const supply = 5_000n;
      const token = await viem.deployContract("Token", ["Viem Token", "VMT", supply, 7n]);
      assert.equal(await token.read.totalSupply(), supply);
      assert.equal(await token.read.balanceOf([deployer.account.address]), supply);

      const hash = await token.write.transfer([alice.account.address, 1_500n]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, "success");
      assert.equal(await token.read.balanceOf([alice.account.address]), 1_500n);
      assert.equal(await token.read.balanceOf([deployer.account.address]), 3_500n);

      const transfers = await publicClient.getContractEvents({
        address: token.address,
        abi: token.abi,
        eventName: "Transfer",
        args: { to: alice.account.address },
        fromBlock: 0n,
      });
      assert.equal(transfers.length, 1);
      assert.equal(getAddress(transfers[0].args.from!), getAddress(deployer.account.address));
      assert.equal(transfers[0].args.value, 1_500n);

      await assert.rejects(
        token.simulate.transfer([deployer.account.address, 1_501n], { account: alice.account }),
        (error) => {
          assert.equal(viemRevert(error)?.reason, BALANCE_REVERT, String(error));
          return true;
        },
      );
      await assert.rejects(token.simulate.transfer([zeroAddress, 1n]), (error) => {
        assert.equal(viemRevert(error)?.reason, "Token: transfer to the zero address", String(error));
        return true;
      });

      const asAlice = await viem.getContractAt("Token", token.address, { client: { wallet: alice } });
      const value = 3n;
      const { result } = await asAlice.simulate.buy({ value, account: alice.account });
      assert.equal(result, 21n);
      const buyHash = await asAlice.write.buy({ value });
      assert.equal((await publicClient.waitForTransactionReceipt({ hash: buyHash })).status, "success");
      assert.equal(await token.read.balanceOf([alice.account.address]), 1_521n);
      assert.equal(await publicClient.getBalance({ address: token.address }), value);
    });
  });
});
