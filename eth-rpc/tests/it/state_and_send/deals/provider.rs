//! A storage provider driven by hand, as a developer drives one on a devnet: native messages
//! signed by f1 keys, a miner created through power, pre-commits and prove-commits with piece
//! manifests (the devnet accepts any seal proof bytes). The actors' parameter tuples are
//! declared here, field for field as the network encodes them (STORAGE.md §1), so the test
//! checks our actors against the wire format rather than against their own types.

use chain::genesis::NativeAccount;
use chain::message::sign_secp;
use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::bigint::{BigInt, bigint_ser};
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::super::*;

/// Gas for every native message: above what the heaviest here (a publication calling the
/// contract twice, a prove-commit) needs, and within one block.
const NATIVE_GAS: u64 = 4_000_000_000;

pub(super) const POWER: FilAddress = FilAddress::new_id(4);
pub(super) const MARKET: FilAddress = FilAddress::new_id(5);
pub(super) const REGISTRY: FilAddress = FilAddress::new_id(6);

/// Power's `CreateMiner`, the market's `AddBalance` and `PublishStorageDeals`, the registry's
/// `AddVerifier` and `AddVerifiedClient`, the miner's `PreCommitSectorBatch2` and
/// `ProveCommitSectors3` (legacy numbers: only built-in callers such as accounts use them).
pub(super) const CREATE_MINER: u64 = 2;
pub(super) const ADD_BALANCE: u64 = 2;
pub(super) const PUBLISH_STORAGE_DEALS: u64 = 4;
pub(super) const ADD_VERIFIER: u64 = 2;
pub(super) const ADD_VERIFIED_CLIENT: u64 = 4;
const PRE_COMMIT_SECTOR_BATCH2: u64 = 28;
const PROVE_COMMIT_SECTORS3: u64 = 34;
/// FRC-42 numbers: the market's `GetDealActivation`, the hooks a deal client answers.
pub(super) const GET_DEAL_ACTIVATION: u64 = 2_567_238_399;
pub(super) const AUTHENTICATE_MESSAGE: u64 = 2_643_134_072;
pub(super) const MARKET_NOTIFY_DEAL: u64 = 4_186_741_094;
pub(super) const RECEIVER_HOOK: u64 = 3_726_118_371;

/// StackedDRG2KiBV1P1 and StackedDRGWindow2KiBV1P1.
const SEAL_2K: i64 = 5;
const POST_2K: i64 = 10;
/// 180 days of 30-second epochs: the shortest deal and the shortest allocation term.
pub(super) const MIN_TERM: i64 = 180 * 2880;

/// `DealProposal`, an 11-tuple; the label a text string (what `DealClient` writes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub(super) struct DealProposal {
    pub piece_cid: Cid,
    pub piece_size: u64,
    pub verified_deal: bool,
    pub client: FilAddress,
    pub provider: FilAddress,
    pub label: String,
    pub start_epoch: i64,
    pub end_epoch: i64,
    pub storage_price_per_epoch: TokenAmount,
    pub provider_collateral: TokenAmount,
    pub client_collateral: TokenAmount,
}

#[derive(Serialize_tuple)]
struct ClientDealProposal {
    proposal: DealProposal,
    client_signature: Signature,
}

#[derive(Serialize_tuple)]
struct PublishStorageDealsParams {
    deals: Vec<ClientDealProposal>,
}

#[derive(Serialize_tuple)]
struct CreateMinerParams {
    owner: FilAddress,
    worker: FilAddress,
    window_post_proof_type: i64,
    peer: BytesDe,
    multiaddrs: Vec<BytesDe>,
}

#[derive(Serialize_tuple)]
struct SectorPreCommitInfo {
    seal_proof: i64,
    sector_number: u64,
    sealed_cid: Cid,
    seal_rand_epoch: i64,
    deal_ids: Vec<u64>,
    expiration: i64,
    unsealed_cid: Option<Cid>,
}

#[derive(Serialize_tuple)]
struct PreCommitSectorBatch2Params {
    sectors: Vec<SectorPreCommitInfo>,
}

/// One piece of a sector: a deal's (notifying the market with the deal ID) or a verified
/// allocation's (`[client, allocation id]`).
#[derive(Clone, Serialize_tuple)]
pub(super) struct PieceActivationManifest {
    pub cid: Cid,
    pub size: u64,
    pub verified_allocation_key: Option<(u64, u64)>,
    pub notify: Vec<(FilAddress, RawBytes)>,
}

#[derive(Serialize_tuple)]
struct SectorActivationManifest {
    sector_number: u64,
    pieces: Vec<PieceActivationManifest>,
}

#[derive(Serialize_tuple)]
struct ProveCommitSectors3Params {
    sector_activations: Vec<SectorActivationManifest>,
    sector_proofs: Vec<RawBytes>,
    aggregate_proof: RawBytes,
    aggregate_proof_type: Option<i64>,
    require_activation_success: bool,
    require_notification_success: bool,
}

/// A piece CID (unsealed commitment prefix) with digest `[n; 32]`.
pub(super) fn piece(n: u8) -> Cid {
    Cid::new_v1(0xf101, cid::multihash::Multihash::wrap(0x1012, &[n; 32]).unwrap())
}

/// A sealed-sector CID (CommR prefix).
fn comm_r(n: u8) -> Cid {
    Cid::new_v1(0xf102, cid::multihash::Multihash::wrap(0xb401, &[n; 32]).unwrap())
}

pub(super) fn cbor<T: Serialize>(value: &T) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(value).unwrap()
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
    fvm_ipld_encoding::from_slice(bytes).unwrap()
}

/// `AddVerifier` and `AddVerifiedClient`: `[address, allowance in bytes]`.
#[derive(Serialize_tuple)]
pub(super) struct VerifierParams {
    pub address: FilAddress,
    #[serde(with = "bigint_ser")]
    pub allowance: BigInt,
}

/// What a native message did: its receipt, the height it ran at, and why it failed when it
/// did (the same message run read-only just before it was sent).
pub(super) struct Outcome {
    pub exit_code: ExitCode,
    pub return_data: Vec<u8>,
    pub height: i64,
    pub failure: Option<String>,
}

impl Outcome {
    pub(super) fn ok(self) -> Self {
        assert_eq!(self.exit_code, ExitCode::OK, "{:?}", self.failure);
        self
    }
}

fn message(
    net: &TestNet,
    from: &NativeAccount,
    to: FilAddress,
    method: u64,
    params: Vec<u8>,
    value: TokenAmount,
) -> Message {
    Message {
        version: 0,
        from: from.address,
        to,
        sequence: net.node.mpool_get_nonce(&from.address).unwrap(),
        value,
        method_num: method,
        params: RawBytes::new(params),
        gas_limit: NATIVE_GAS,
        gas_fee_cap: TokenAmount::from_atto(FEE_CAP),
        gas_premium: TokenAmount::from_atto(TIP),
    }
}

/// Signs a message from `from` (secp256k1), pushes it, mines one tipset (the net mines by
/// hand) and returns what it did.
pub(super) fn send_native(
    net: &TestNet,
    from: &NativeAccount,
    to: FilAddress,
    method: u64,
    params: Vec<u8>,
    value: TokenAmount,
) -> Outcome {
    let msg = message(net, from, to, method, params, value);
    let head = net.node.chain_head();
    let preview = net.node.state_call(&msg, &head, &Default::default()).unwrap();
    let cid = net.node.mpool_push(sign_secp(msg, &from.signer).unwrap()).unwrap().cid;
    net.node.mine(1).unwrap();
    let at = net.node.state_search_msg(&cid).unwrap().expect("mined");
    let r = receipt(net, at);
    Outcome {
        exit_code: r.exit_code,
        return_data: r.return_data.to_vec(),
        height: at.height,
        failure: preview.failure_info,
    }
}

/// Runs a message from `from` read-only on the head: its exit code and return.
pub(super) fn call_native(
    net: &TestNet,
    from: &NativeAccount,
    to: FilAddress,
    method: u64,
    params: Vec<u8>,
) -> (ExitCode, Vec<u8>) {
    let msg = message(net, from, to, method, params, TokenAmount::default());
    let head = net.node.chain_head();
    let result = net.node.state_call(&msg, &head, &Default::default()).unwrap();
    (result.receipt.exit_code, result.receipt.return_data.to_vec())
}

/// The actor ID behind an address at the head.
pub(super) fn id_of(net: &TestNet, address: &FilAddress) -> u64 {
    net.node.state_get_actor(address, &net.node.chain_head()).unwrap().expect("actor exists").0
}

/// A provider: a 2 KiB miner owned by an f1 account, with the first genesis worker key (BLS,
/// as the miner requires) as worker. The f1 owner sends everything: it controls the miner as
/// the worker does, and the devnet's pool takes no BLS-signed messages.
pub(super) struct Provider {
    pub owner: NativeAccount,
    pub miner: FilAddress,
    pub id: u64,
}

impl Provider {
    /// Funds the worker key, creates the miner with 100 FIL and puts `collateral` in the
    /// market's escrow for it.
    pub(super) fn create(net: &TestNet, owner: NativeAccount, collateral: u128) -> Self {
        let keys = chain::providers::provider_keys(chain::config::DEFAULT_MNEMONIC, 1).unwrap();
        let worker = keys[0].worker;
        let fund = TokenAmount::from_whole(1);
        send_native(net, &owner, worker, 0, vec![], fund).ok();
        let params = CreateMinerParams {
            owner: owner.address,
            worker,
            window_post_proof_type: POST_2K,
            peer: BytesDe(b"deals-test".to_vec()),
            multiaddrs: vec![],
        };
        let created = send_native(
            net,
            &owner,
            POWER,
            CREATE_MINER,
            cbor(&params),
            TokenAmount::from_whole(100),
        )
        .ok();
        let (miner, _robust): (FilAddress, FilAddress) = decode(&created.return_data);
        let id = miner.id().unwrap();
        let provider = Self { owner, miner, id };
        provider.send(net, MARKET, ADD_BALANCE, cbor(&miner), collateral).ok();
        provider
    }

    pub(super) fn send(
        &self,
        net: &TestNet,
        to: FilAddress,
        method: u64,
        params: Vec<u8>,
        value: u128,
    ) -> Outcome {
        send_native(net, &self.owner, to, method, params, TokenAmount::from_atto(value))
    }

    /// `PublishStorageDeals` of one proposal a contract answers for (the signature is a
    /// placeholder, as Boost attaches for contract clients); returns the deal IDs on success.
    pub(super) fn publish(&self, net: &TestNet, proposal: &DealProposal) -> (Outcome, Vec<u64>) {
        let deal = ClientDealProposal {
            proposal: proposal.clone(),
            client_signature: Signature::new_bls(vec![0xde, 0xad]),
        };
        let params = PublishStorageDealsParams { deals: vec![deal] };
        let out = self.send(net, MARKET, PUBLISH_STORAGE_DEALS, cbor(&params), 0);
        let ids = match out.exit_code {
            ExitCode::OK => decode::<(Vec<u64>, BytesDe)>(&out.return_data).0,
            _ => vec![],
        };
        (out, ids)
    }

    /// Pre-commits one 2 KiB sector per piece (each piece fills its sector, so its CID is the
    /// sector's CommD), waits out the 10-epoch challenge delay and proves them with the pieces'
    /// manifests. Sectors are numbered from 1; returns the prove-commit's outcome.
    pub(super) fn onboard(
        &self,
        net: &TestNet,
        pieces: &[PieceActivationManifest],
        expiration: i64,
    ) -> Outcome {
        let seal_rand_epoch = net.node.chain_head().height();
        let sectors = (1..)
            .zip(pieces)
            .map(|(number, piece)| SectorPreCommitInfo {
                seal_proof: SEAL_2K,
                sector_number: number,
                sealed_cid: comm_r(number as u8),
                seal_rand_epoch,
                deal_ids: vec![],
                expiration,
                unsealed_cid: Some(piece.cid),
            })
            .collect();
        let params = PreCommitSectorBatch2Params { sectors };
        self.send(net, self.miner, PRE_COMMIT_SECTOR_BATCH2, cbor(&params), 0).ok();
        net.node.mine(10).unwrap();
        let params = ProveCommitSectors3Params {
            sector_activations: (1..)
                .zip(pieces)
                .map(|(sector_number, piece)| SectorActivationManifest {
                    sector_number,
                    pieces: vec![piece.clone()],
                })
                .collect(),
            sector_proofs: pieces.iter().map(|_| RawBytes::new(vec![7; 192])).collect(),
            aggregate_proof: RawBytes::default(),
            aggregate_proof_type: None,
            require_activation_success: true,
            require_notification_success: true,
        };
        self.send(net, self.miner, PROVE_COMMIT_SECTORS3, cbor(&params), 0)
    }
}
