//! The wrappers send what upstream sends (receiver, method, CBOR), skip what upstream skips,
//! and keep the callee's exit code.

use fvm_shared::bigint::BigInt;
use fvm_shared::error::ExitCode;

use super::mock::MockRt;
use super::*;
use crate::smoothing::FilterEstimate;

#[test]
fn zero_deltas_and_amounts_send_nothing() {
    let mut rt = MockRt::new(100);
    request_update_power(&mut rt, &PowerPair::zero()).unwrap();
    notify_pledge_changed(&mut rt, &TokenAmount::zero()).unwrap();
    burn_funds(&mut rt, TokenAmount::zero()).unwrap();
    burn_funds(&mut rt, TokenAmount::from_atto(-5)).unwrap();
    request_terminate_deals(&mut rt, 5, &BitField::new()).unwrap();
    let none = verify_deals(&mut rt, &[]).unwrap();
    assert!(none.unsealed_cids.is_empty());
    let claims = claim_allocations(&mut rt, Vec::new(), true).unwrap();
    assert_eq!(claims.sector_results, BatchReturn::ok(0));
    assert!(rt.sent.is_empty());
}

#[test]
fn power_updates_are_encoded_as_upstream() {
    let mut rt = MockRt::new(100);
    let delta = PowerPair::new(BigInt::from(2048), BigInt::from(-1));
    request_update_power(&mut rt, &delta).unwrap();
    notify_pledge_changed(&mut rt, &TokenAmount::from_atto(256)).unwrap();
    enroll_cron_event(&mut rt, 7, &CronEventPayload { event_type: 1 }).unwrap();
    burn_funds(&mut rt, TokenAmount::from_atto(3)).unwrap();
    let calls: Vec<_> = rt.sent.iter().map(|s| (s.to, s.method, s.params_bytes())).collect();
    assert_eq!(
        calls,
        vec![
            // [h'00 08 00', h'01 01']
            (Address::new_id(4), 3, vec![0x82, 0x43, 0x00, 0x08, 0x00, 0x42, 0x01, 0x01]),
            // h'00 01 00' (a bare token amount)
            (Address::new_id(4), 6, vec![0x43, 0x00, 0x01, 0x00]),
            // [7, h'81 01']
            (Address::new_id(4), 4, vec![0x82, 0x07, 0x42, 0x81, 0x01]),
            (Address::new_id(99), 0, vec![]),
        ]
    );
    assert_eq!(rt.sent[3].value, TokenAmount::from_atto(3));
}

#[test]
fn queries_decode_their_returns() {
    let mut rt = MockRt::new(100);
    let power = power::CurrentTotalPowerReturn {
        raw_byte_power: BigInt::from(4096),
        quality_adj_power: BigInt::from(8192),
        pledge_collateral: TokenAmount::from_atto(9),
        quality_adj_power_smoothed: FilterEstimate::new(BigInt::from(8192), BigInt::from(0)),
        ramp_start_epoch: 3,
        ramp_duration_epochs: 4,
    };
    rt.reply(&power);
    assert_eq!(request_current_total_power(&mut rt).unwrap(), power);
    let reward = reward::ThisEpochRewardReturn {
        this_epoch_reward_smoothed: FilterEstimate::new(BigInt::from(5), BigInt::from(0)),
        this_epoch_baseline_power: BigInt::from(1),
    };
    rt.reply(&reward);
    assert_eq!(request_current_epoch_block_reward(&mut rt).unwrap(), reward);
    assert_eq!((rt.sent[0].method, rt.sent[1].to), (9, Address::new_id(2)));
    // No return where one is expected: USR_ASSERTION_FAILED; a callee failure keeps its code.
    let err = request_current_total_power(&mut rt).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ASSERTION_FAILED);
    rt.reply_code(ExitCode::USR_FORBIDDEN);
    let err = request_current_epoch_block_reward(&mut rt).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_FORBIDDEN);
    assert!(err.message().starts_with("failed to check epoch reward"));
}

#[test]
fn market_termination_failures_are_swallowed_only_in_cron() {
    let mut sectors = BitField::new();
    sectors.set(3);
    let mut rt = MockRt::new(100);
    rt.reply_code(ExitCode::USR_ILLEGAL_STATE);
    let err = request_terminate_deals(&mut rt, 5, &sectors).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_STATE);
    // [5, bitfield{3}] to f05 method 7.
    assert_eq!((rt.sent[0].to, rt.sent[0].method), (Address::new_id(5), 7));
    assert_eq!(&rt.sent[0].params_bytes()[..2], &[0x82, 0x05]);

    let mut cron = MockRt::new(SYSTEM_ACTOR_ID);
    cron.reply_code(ExitCode::USR_ILLEGAL_STATE);
    request_terminate_deals(&mut cron, 5, &sectors).unwrap();
    assert_eq!(cron.sent.len(), 1);
}

#[test]
fn claims_must_all_be_found() {
    let mut rt = MockRt::new(100);
    rt.reply(&verifreg::GetClaimsReturn {
        batch_info: BatchReturn::of(&[ExitCode::OK, ExitCode::USR_NOT_FOUND]),
        claims: Vec::new(),
    });
    let err = get_claims(&mut rt, &[1, 2]).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    // [provider 1000, [1, 2]] to f06 method 10.
    assert_eq!(rt.sent[0].params_bytes(), vec![0x82, 0x19, 0x03, 0xe8, 0x82, 0x01, 0x02]);
    assert_eq!((rt.sent[0].to, rt.sent[0].method), (Address::new_id(6), 10));
}

#[test]
fn sectors_without_deals_skip_the_market() {
    let mut rt = MockRt::new(100);
    let sector = market::SectorDeals {
        sector_number: 1,
        sector_type: fvm_shared::sector::RegisteredSealProof::StackedDRG2KiBV1P1,
        sector_expiry: 100,
        deal_ids: Vec::new(),
    };
    let res = batch_activate_deals(&mut rt, vec![sector.clone(), sector.clone()], true).unwrap();
    assert_eq!(res.activation_results, BatchReturn::ok(2));
    assert_eq!(res.activations.len(), 2);
    assert_eq!(verify_deals(&mut rt, &[sector]).unwrap().unsealed_cids, vec![None]);
    assert!(rt.sent.is_empty());
}
