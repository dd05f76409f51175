//! Method numbers pinned to FRC-42, and hand-assembled CBOR for the encodings that matter
//! (tuples versus transparent wrappers, strict bytes, big integers, CIDs).

use cid::Cid;
use fvm_ipld_encoding::{RawBytes, from_slice, to_vec};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorSize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;
use crate::plumbing::{BatchReturn, method_hash};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T, hex: &[u8]) {
    let bytes = to_vec(v).unwrap();
    assert_eq!(bytes, hex, "encoding of {v:?}");
    assert_eq!(&from_slice::<T>(&bytes).unwrap(), v);
}

/// A piece CID whose digest is 32 × 0xaa, and its CBOR (tag 42, 40-byte string).
fn piece() -> (Cid, Vec<u8>) {
    let mut cid_bytes = vec![0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20];
    cid_bytes.extend([0xaa; 32]);
    let cid = Cid::try_from(cid_bytes.as_slice()).unwrap();
    let mut cbor = vec![0xd8, 0x2a, 0x58, 0x28, 0x00];
    cbor.extend(cid_bytes);
    (cid, cbor)
}

#[test]
fn exported_numbers_are_frc42_hashes() {
    for (name, number) in [
        ("ChangeWorkerAddress", CHANGE_WORKER_ADDRESS_EXPORTED),
        ("ChangePeerID", CHANGE_PEER_ID_EXPORTED),
        ("WithdrawBalance", WITHDRAW_BALANCE_EXPORTED),
        ("ChangeMultiaddrs", CHANGE_MULTIADDRS_EXPORTED),
        ("ConfirmChangeWorkerAddress", CONFIRM_CHANGE_WORKER_ADDRESS_EXPORTED),
        ("RepayDebt", REPAY_DEBT_EXPORTED),
        ("ChangeOwnerAddress", CHANGE_OWNER_ADDRESS_EXPORTED),
        ("ChangeBeneficiary", CHANGE_BENEFICIARY_EXPORTED),
        ("GetBeneficiary", GET_BENEFICIARY_EXPORTED),
        ("GetOwner", GET_OWNER_EXPORTED),
        ("IsControllingAddress", IS_CONTROLLING_ADDRESS_EXPORTED),
        ("GetSectorSize", GET_SECTOR_SIZE_EXPORTED),
        ("GetAvailableBalance", GET_AVAILABLE_BALANCE_EXPORTED),
        ("GetVestingFunds", GET_VESTING_FUNDS_EXPORTED),
        ("GetPeerID", GET_PEER_ID_EXPORTED),
        ("GetMultiaddrs", GET_MULTIADDRS_EXPORTED),
        ("MaxTerminationFee", MAX_TERMINATION_FEE_EXPORTED),
        ("InitialPledge", INITIAL_PLEDGE_EXPORTED),
        ("GenerateSectorLocation", GENERATE_SECTOR_LOCATION_EXPORTED),
        ("ValidateSectorStatus", VALIDATE_SECTOR_STATUS_EXPORTED),
        ("GetNominalSectorExpiration", GET_NOMINAL_SECTOR_EXPIRATION_EXPORTED),
        ("SectorContentChanged", SECTOR_CONTENT_CHANGED_METHOD),
    ] {
        assert_eq!(method_hash(name), number, "{name}");
    }
    assert_eq!(SECTOR_CONTENT_CHANGED_METHOD, 2_034_386_435);
    assert_eq!((PRE_COMMIT_SECTOR_BATCH2_METHOD, PROVE_COMMIT_SECTORS_NI_METHOD), (28, 36));
}

#[test]
fn owner_params_and_returns() {
    // f01234: protocol 0, LEB128(1234) = d2 09.
    round_trip(
        &ChangeOwnerAddressParams { new_owner: Address::new_id(1234) },
        &[0x43, 0x00, 0xd2, 0x09],
    );
    round_trip(
        &GetOwnerReturn { owner: Address::new_id(100), proposed: None },
        &[0x82, 0x42, 0x00, 0x64, 0xf6],
    );
    round_trip(
        &GetOwnerReturn { owner: Address::new_id(100), proposed: Some(Address::new_id(101)) },
        &[0x82, 0x42, 0x00, 0x64, 0x42, 0x00, 0x65],
    );
    round_trip(&IsControllingAddressReturn { is_controlling: true }, &[0xf5]);
    round_trip(&GetSectorSizeReturn { sector_size: SectorSize::_2KiB }, &[0x19, 0x08, 0x00]);
}

#[test]
fn withdrawals_encode_big_integers() {
    // 1 FIL = 0x0de0b6b3a7640000 attoFIL, behind a 0x00 sign byte.
    let one_fil = [0x49, 0x00, 0x0d, 0xe0, 0xb6, 0xb3, 0xa7, 0x64, 0x00, 0x00];
    let mut tuple = vec![0x81];
    tuple.extend(one_fil);
    round_trip(&WithdrawBalanceParams { amount_requested: TokenAmount::from_whole(1) }, &tuple);
    round_trip(&WithdrawBalanceReturn { amount_withdrawn: TokenAmount::from_whole(1) }, &one_fil);
    round_trip(
        &GetVestingFundsReturn { vesting_funds: vec![(10, TokenAmount::from_atto(5))] },
        &[0x81, 0x81, 0x82, 0x0a, 0x42, 0x00, 0x05],
    );
    round_trip(&CronEventPayload { event_type: CRON_EVENT_PROVING_DEADLINE }, &[0x81, 0x01]);
}

#[test]
fn prove_commit_sectors3_params() {
    let (cid, cid_cbor) = piece();
    let params = ProveCommitSectors3Params {
        sector_activations: vec![SectorActivationManifest {
            sector_number: 7,
            pieces: vec![PieceActivationManifest {
                cid,
                size: PaddedPieceSize(2048),
                verified_allocation_key: Some(VerifiedAllocationKey { client: 1001, id: 5 }),
                notify: vec![DataActivationNotification {
                    address: Address::new_id(5),
                    payload: RawBytes::new(vec![0x01]),
                }],
            }],
        }],
        sector_proofs: vec![RawBytes::new(vec![0x01, 0x02])],
        aggregate_proof: RawBytes::default(),
        aggregate_proof_type: None,
        require_activation_success: true,
        require_notification_success: false,
    };
    let mut hex = vec![0x86, 0x81, 0x82, 0x07, 0x81, 0x84];
    hex.extend(&cid_cbor);
    hex.extend([0x19, 0x08, 0x00]); // size 2048
    hex.extend([0x82, 0x19, 0x03, 0xe9, 0x05]); // [client 1001, id 5]
    hex.extend([0x81, 0x82, 0x42, 0x00, 0x05, 0x41, 0x01]); // [[f05, h'01']]
    hex.extend([0x81, 0x42, 0x01, 0x02, 0x40, 0xf6, 0xf5, 0xf4]);
    round_trip(&params, &hex);
    round_trip(
        &ProveCommitSectors3Return { activation_results: BatchReturn::ok(2) },
        &[0x82, 0x02, 0x80],
    );
}

#[test]
fn sector_content_changed_is_transparent_at_every_level() {
    let (cid, cid_cbor) = piece();
    let params = SectorContentChangedParams {
        sectors: vec![SectorChanges {
            sector: 1,
            minimum_commitment_epoch: 100,
            added: vec![PieceChange {
                data: cid,
                size: PaddedPieceSize(128),
                payload: RawBytes::new(vec![0x09]),
            }],
        }],
    };
    let mut hex = vec![0x81, 0x83, 0x01, 0x18, 0x64, 0x81, 0x83];
    hex.extend(&cid_cbor);
    hex.extend([0x18, 0x80, 0x41, 0x09]);
    round_trip(&params, &hex);
    let ret = SectorContentChangedReturn {
        sectors: vec![SectorReturn {
            added: vec![PieceReturn { accepted: true }, PieceReturn { accepted: false }],
        }],
    };
    round_trip(&ret, &[0x81, 0x82, 0xf5, 0xf4]);
}

#[test]
fn sector_status_is_a_bare_byte() {
    let aux = to_vec(&SectorLocation { deadline: 2, partition: NO_PARTITION }).unwrap();
    assert_eq!(aux, [0x82, 0x02, 0x20]);
    round_trip(
        &GenerateSectorLocationReturn { status: SectorStatusCode::Faulty, aux_data: aux },
        &[0x82, 0x02, 0x43, 0x82, 0x02, 0x20],
    );
    assert!(from_slice::<SectorStatusCode>(&[0x03]).is_err());
    round_trip(&GetNominalSectorExpirationReturn { expiration: -1 }, &[0x20]);
}
