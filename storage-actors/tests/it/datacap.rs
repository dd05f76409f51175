//! The datacap actor through the real VM: f07 installed at genesis with either alice or a
//! verified-registry stand-in (a contract at f06 that accepts every hook and can forward calls)
//! as its governor.

use filecoin_vm::BuiltinType;
use filecoin_vm::genesis::install_singleton;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{EMPTY_ARR_CID, METHOD_CONSTRUCTOR, MethodNum};
use serde::Serialize;
use serde::de::DeserializeOwned;
use storage_actors::datacap::*;
use storage_actors::token::*;

use crate::harness::{CONTRACT_RUN, Forward, Key, Net, assert_exit, decode};

const DATACAP: Address = Address::new_id(7);
const REGISTRY: Address = Address::new_id(6);

/// Who governs the datacap under test.
#[derive(Clone, Copy)]
enum Governor {
    Alice,
    Registry,
}

/// A net with f07 (empty datacap) and the f06 stand-in installed.
fn datacap_net(governor: Governor) -> Net {
    Net::with_genesis(|tree| {
        let governor = match governor {
            Governor::Alice => {
                Address::new_id(tree.lookup_id(&Key::secp(1).address()).unwrap().unwrap())
            }
            Governor::Registry => REGISTRY,
        };
        let state = genesis_state(tree.store(), governor).unwrap();
        install_singleton(tree, 7, BuiltinType::DataCap.code_cid(), state);
        install_singleton(tree, 6, BuiltinType::Evm.code_cid(), EMPTY_ARR_CID);
    })
}

fn whole(n: i64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

fn none() -> Option<&'static ()> {
    None
}

/// Sends a datacap method from `from` and returns the receipt's exit code and return.
fn call<P: Serialize>(
    net: &mut Net,
    from: &Address,
    method: MethodNum,
    params: Option<&P>,
) -> filecoin_vm::ApplyRet {
    net.send(from, &DATACAP, method, params, TokenAmount::default())
}

/// Has the f06 stand-in (the governor) call datacap; returns the callee's code and return.
fn as_registry<P: Serialize>(net: &mut Net, method: MethodNum, params: &P) -> (ExitCode, RawBytes) {
    let fwd = Forward {
        to: DATACAP,
        method,
        params: Some(RawBytes::new(fvm_ipld_encoding::to_vec(params).unwrap())),
        value: TokenAmount::default(),
    };
    let alice = net.alice.address();
    let ret = net.send(&alice, &REGISTRY, CONTRACT_RUN, Some(&fwd), TokenAmount::default());
    assert_exit(&ret, ExitCode::OK);
    let (code, data): (u32, RawBytes) = ret.receipt.return_data.deserialize().unwrap();
    (ExitCode::new(code), data)
}

fn from_bytes<T: DeserializeOwned>(bytes: &RawBytes) -> T {
    fvm_ipld_encoding::from_slice(bytes).unwrap()
}

fn balance(net: &mut Net, who: &Address) -> TokenAmount {
    let alice = net.alice.address();
    decode(&call(net, &alice, BALANCE_METHOD, Some(who)))
}

fn supply(net: &mut Net) -> TokenAmount {
    let alice = net.alice.address();
    decode(&call(net, &alice, TOTAL_SUPPLY_METHOD, none()))
}

fn mint_params(to: Address, amount: TokenAmount, operators: Vec<Address>) -> MintParams {
    MintParams { to, amount, operators }
}

/// What a hook that echoes its params (the contract stand-in) tells us it was sent.
fn echoed_hook(recipient_data: &RawBytes) -> Frc46TokenReceived {
    let params: UniversalReceiverParams = from_bytes(recipient_data);
    assert_eq!(params.type_, FRC46_TOKEN_TYPE);
    from_bytes(&params.payload)
}

#[test]
fn the_governor_mints_and_the_recipient_hook_hears_of_it() {
    let mut net = datacap_net(Governor::Alice);
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let alice_id = net.id(&alice);

    // To an f1 account (its fallback accepts the hook and returns nothing), with carol as
    // an operator.
    let params = mint_params(bob, whole(10), vec![carol]);
    let minted: MintReturn = decode(&call(&mut net, &alice, MINT_METHOD, Some(&params)));
    assert_eq!((minted.balance, minted.supply.clone()), (whole(10), whole(10)));
    assert!(minted.recipient_data.is_empty());
    let allowance_params = GetAllowanceParams { owner: bob, operator: carol };
    let allowance: TokenAmount =
        decode(&call(&mut net, &alice, ALLOWANCE_METHOD, Some(&allowance_params)));
    assert_eq!(allowance, infinite_allowance());

    // To a contract, whose hook echoes what it was sent: the FRC-46 payload, from datacap,
    // with the governor as operator.
    let contract = Address::new_id(net.contract);
    let params = mint_params(contract, whole(5), vec![]);
    let minted: MintReturn = decode(&call(&mut net, &alice, MINT_METHOD, Some(&params)));
    assert_eq!((minted.balance, minted.supply), (whole(5), whole(15)));
    let received = echoed_hook(&minted.recipient_data);
    assert_eq!(
        received,
        Frc46TokenReceived {
            from: 7,
            to: net.contract,
            operator: alice_id,
            amount: whole(5),
            operator_data: RawBytes::default(),
            token_data: RawBytes::default(),
        }
    );

    // The state as the network stores it.
    net.exec.flush().unwrap();
    let state: DataCapState = net.state(&DATACAP);
    assert_eq!(state.governor, Address::new_id(alice_id));
    assert_eq!(state.token.supply, whole(15));
    assert_eq!(state.token.hamt_bit_width, 3);

    // Nobody else mints: an account, or a contract.
    let ret = call(&mut net, &bob, MINT_METHOD, Some(&mint_params(bob, whole(1), vec![])));
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let (code, _) = net.contract_call(
        &DATACAP,
        MINT_METHOD,
        Some(&mint_params(contract, whole(1), vec![])),
        TokenAmount::default(),
    );
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    assert_eq!(supply(&mut net), whole(15));
}

#[test]
fn the_registry_governs_mint_destroy_and_transfers_out() {
    let mut net = datacap_net(Governor::Registry);
    let (alice, bob) = (net.alice.address(), net.bob.address());
    let (code, data) = as_registry(&mut net, MINT_METHOD, &mint_params(bob, whole(8), vec![]));
    assert_eq!(code, ExitCode::OK);
    assert_eq!(from_bytes::<MintReturn>(&data).balance, whole(8));
    // Alice is no longer the governor.
    let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, whole(1), vec![])));
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    // Destroy needs no allowance, but only the governor may.
    let destroy = DestroyParams { owner: bob, amount: whole(3) };
    let ret = call(&mut net, &alice, DESTROY_METHOD, Some(&destroy));
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let (code, data) = as_registry(&mut net, DESTROY_METHOD, &destroy);
    assert_eq!(code, ExitCode::OK);
    assert_eq!(from_bytes::<BurnReturn>(&data).balance, whole(5));
    assert_eq!(supply(&mut net), whole(5));

    // The governor may transfer to anyone: the registry first receives, then pays alice.
    let to_registry =
        TransferParams { to: REGISTRY, amount: whole(2), operator_data: vec![].into() };
    let ret = call(&mut net, &bob, TRANSFER_METHOD, Some(&to_registry));
    assert_exit(&ret, ExitCode::OK);
    let to_alice = TransferParams { to: alice, amount: whole(2), operator_data: vec![].into() };
    let (code, data) = as_registry(&mut net, TRANSFER_METHOD, &to_alice);
    assert_eq!(code, ExitCode::OK);
    let moved: TransferReturn = from_bytes(&data);
    assert_eq!((moved.from_balance, moved.to_balance), (whole(0), whole(2)));
}

#[test]
fn amounts_must_be_whole_and_non_negative() {
    let mut net = datacap_net(Governor::Alice);
    let (alice, bob) = (net.alice.address(), net.bob.address());
    for amount in [TokenAmount::from_atto(1_500_000_000_000_000_000u64), whole(-1)] {
        let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, amount, vec![])));
        assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, whole(3), vec![])));
    assert_exit(&ret, ExitCode::OK);
    let ret =
        call(&mut net, &bob, BURN_METHOD, Some(&BurnParams { amount: TokenAmount::from_atto(1) }));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let to_alice = TransferParams {
        to: alice,
        amount: TokenAmount::from_atto(10),
        operator_data: RawBytes::default(),
    };
    // A transfer towards the governor, refused for its precision alone.
    let ret = call(&mut net, &bob, TRANSFER_METHOD, Some(&to_alice));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Allowances need not be whole, only non-negative.
    let carol = net.carol.address();
    let fine = IncreaseAllowanceParams { operator: carol, increase: TokenAmount::from_atto(10) };
    let allowance: TokenAmount =
        decode(&call(&mut net, &bob, INCREASE_ALLOWANCE_METHOD, Some(&fine)));
    assert_eq!(allowance, TokenAmount::from_atto(10));
    let negative =
        IncreaseAllowanceParams { operator: carol, increase: TokenAmount::from_atto(-1) };
    let ret = call(&mut net, &bob, INCREASE_ALLOWANCE_METHOD, Some(&negative));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(supply(&mut net), whole(3));
}

/// A getter called by the contract stand-in, which must succeed.
fn contract_read<P: Serialize, T: DeserializeOwned>(
    net: &mut Net,
    method: MethodNum,
    params: Option<&P>,
) -> T {
    let (code, data) = net.contract_call(&DATACAP, method, params, TokenAmount::default());
    assert_eq!(code, ExitCode::OK, "method {method}");
    from_bytes(&data)
}

#[test]
fn contracts_can_read_the_token() {
    let mut net = datacap_net(Governor::Alice);
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, whole(4), vec![carol])));
    assert_exit(&ret, ExitCode::OK);
    let name: String = contract_read(&mut net, NAME_METHOD, none());
    assert_eq!(name, "DataCap");
    let symbol: String = contract_read(&mut net, SYMBOL_METHOD, none());
    assert_eq!(symbol, "DCAP");
    let granularity: u64 = contract_read(&mut net, GRANULARITY_METHOD, none());
    assert_eq!(granularity, 1_000_000_000_000_000_000);
    let total: TokenAmount = contract_read(&mut net, TOTAL_SUPPLY_METHOD, none());
    assert_eq!(total, whole(4));
    let held: TokenAmount = contract_read(&mut net, BALANCE_METHOD, Some(&bob));
    assert_eq!(held, whole(4));
    let pair = GetAllowanceParams { owner: bob, operator: carol };
    let allowance: TokenAmount = contract_read(&mut net, ALLOWANCE_METHOD, Some(&pair));
    assert_eq!(allowance, infinite_allowance());
    // An address with no actor holds nothing; nothing is created by asking.
    let stranger = Key::secp(9).address();
    let held: TokenAmount = contract_read(&mut net, BALANCE_METHOD, Some(&stranger));
    assert_eq!(held, whole(0));
    assert!(net.actor(&stranger).is_none());
    // A getter refuses parameters it does not take.
    let (code, _) = net.contract_call(&DATACAP, NAME_METHOD, Some(&1u8), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn holders_transfer_only_to_the_registry_whose_hook_hears_of_it() {
    let mut net = datacap_net(Governor::Registry);
    let (bob, carol) = (net.bob.address(), net.carol.address());
    let bob_id = net.id(&bob);
    let (code, _) = as_registry(&mut net, MINT_METHOD, &mint_params(bob, whole(10), vec![]));
    assert_eq!(code, ExitCode::OK);

    // To the registry: its hook gets the payload (and echoes it back as recipient_data).
    let operator_data = RawBytes::new(vec![0x82, 0x80, 0x80]);
    let params =
        TransferParams { to: REGISTRY, amount: whole(4), operator_data: operator_data.clone() };
    let moved: TransferReturn = decode(&call(&mut net, &bob, TRANSFER_METHOD, Some(&params)));
    assert_eq!((moved.from_balance, moved.to_balance), (whole(6), whole(4)));
    let received = echoed_hook(&moved.recipient_data);
    assert_eq!((received.from, received.to, received.operator), (bob_id, 6, bob_id));
    assert_eq!((received.amount, received.operator_data), (whole(4), operator_data));
    assert_eq!(balance(&mut net, &REGISTRY), whole(4));

    // Anywhere else (neither end is the governor) is refused, balance untouched.
    let params = TransferParams { to: carol, amount: whole(1), operator_data: RawBytes::default() };
    assert_exit(&call(&mut net, &bob, TRANSFER_METHOD, Some(&params)), ExitCode::USR_FORBIDDEN);
    // A recipient with no actor is not even resolved (nor created).
    let stranger = Key::secp(9).address();
    let params =
        TransferParams { to: stranger, amount: whole(1), operator_data: RawBytes::default() };
    let ret = call(&mut net, &bob, TRANSFER_METHOD, Some(&params));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(net.actor(&stranger).is_none());
    // More than the balance.
    let params =
        TransferParams { to: REGISTRY, amount: whole(7), operator_data: RawBytes::default() };
    let ret = call(&mut net, &bob, TRANSFER_METHOD, Some(&params));
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);
    assert_eq!(balance(&mut net, &bob), whole(6));
    // A contract holder transfers the same way.
    let contract = Address::new_id(net.contract);
    let (code, _) = as_registry(&mut net, MINT_METHOD, &mint_params(contract, whole(2), vec![]));
    assert_eq!(code, ExitCode::OK);
    let params =
        TransferParams { to: REGISTRY, amount: whole(2), operator_data: RawBytes::default() };
    let (code, _) =
        net.contract_call(&DATACAP, TRANSFER_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(code, ExitCode::OK);
    assert_eq!(balance(&mut net, &REGISTRY), whole(6));
}

#[test]
fn operators_spend_allowances_towards_the_registry_only() {
    let mut net = datacap_net(Governor::Registry);
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let (code, _) = as_registry(&mut net, MINT_METHOD, &mint_params(bob, whole(10), vec![]));
    assert_eq!(code, ExitCode::OK);

    let up = IncreaseAllowanceParams { operator: carol, increase: whole(5) };
    let allowance: TokenAmount =
        decode(&call(&mut net, &bob, INCREASE_ALLOWANCE_METHOD, Some(&up)));
    assert_eq!(allowance, whole(5));
    let down = DecreaseAllowanceParams { operator: carol, decrease: whole(2) };
    let allowance: TokenAmount =
        decode(&call(&mut net, &bob, DECREASE_ALLOWANCE_METHOD, Some(&down)));
    assert_eq!(allowance, whole(3));

    // Carol pulls 2 of bob's to the registry.
    let pull = |amount, to| TransferFromParams {
        from: bob,
        to,
        amount,
        operator_data: RawBytes::default(),
    };
    let moved: TransferFromReturn =
        decode(&call(&mut net, &carol, TRANSFER_FROM_METHOD, Some(&pull(whole(2), REGISTRY))));
    assert_eq!(
        (moved.from_balance, moved.to_balance, moved.allowance),
        (whole(8), whole(2), whole(1))
    );
    let received = echoed_hook(&moved.recipient_data);
    assert_eq!((received.from, received.operator), (net.id(&bob), net.id(&carol)));
    // Beyond the allowance; towards anyone but the registry; or by the holder itself.
    let ret = call(&mut net, &carol, TRANSFER_FROM_METHOD, Some(&pull(whole(2), REGISTRY)));
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);
    let ret = call(&mut net, &carol, TRANSFER_FROM_METHOD, Some(&pull(whole(1), alice)));
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = call(&mut net, &bob, TRANSFER_FROM_METHOD, Some(&pull(whole(1), REGISTRY)));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // An operator with no allowance at all.
    let ret = call(&mut net, &alice, TRANSFER_FROM_METHOD, Some(&pull(whole(1), REGISTRY)));
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);

    // BurnFrom spends the allowance too, and shrinks the supply.
    let burn = BurnFromParams { owner: bob, amount: whole(1) };
    let burned: BurnFromReturn = decode(&call(&mut net, &carol, BURN_FROM_METHOD, Some(&burn)));
    assert_eq!((burned.balance, burned.allowance), (whole(7), whole(0)));
    assert_exit(
        &call(&mut net, &carol, BURN_FROM_METHOD, Some(&burn)),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    assert_exit(
        &call(&mut net, &bob, BURN_FROM_METHOD, Some(&burn)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_eq!(supply(&mut net), whole(9));

    // Revoke returns what was left.
    let up = IncreaseAllowanceParams { operator: carol, increase: whole(4) };
    assert_exit(&call(&mut net, &bob, INCREASE_ALLOWANCE_METHOD, Some(&up)), ExitCode::OK);
    let revoke = RevokeAllowanceParams { operator: carol };
    let previous: TokenAmount =
        decode(&call(&mut net, &bob, REVOKE_ALLOWANCE_METHOD, Some(&revoke)));
    assert_eq!(previous, whole(4));
    let pair = GetAllowanceParams { owner: bob, operator: carol };
    let allowance: TokenAmount = decode(&call(&mut net, &alice, ALLOWANCE_METHOD, Some(&pair)));
    assert_eq!(allowance, whole(0));
}

#[test]
fn holders_burn_their_own() {
    let mut net = datacap_net(Governor::Alice);
    let (alice, bob) = (net.alice.address(), net.bob.address());
    assert_exit(
        &call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, whole(5), vec![]))),
        ExitCode::OK,
    );
    let burned: BurnReturn =
        decode(&call(&mut net, &bob, BURN_METHOD, Some(&BurnParams { amount: whole(3) })));
    assert_eq!(burned.balance, whole(2));
    let ret = call(&mut net, &bob, BURN_METHOD, Some(&BurnParams { amount: whole(3) }));
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);
    assert_eq!((balance(&mut net, &bob), supply(&mut net)), (whole(2), whole(2)));
}

#[test]
fn a_failing_receiver_hook_aborts_the_operation() {
    // The init actor (f01) has no Receive: it answers USR_UNHANDLED_MESSAGE, as upstream's does.
    let mut net = datacap_net(Governor::Alice);
    let alice = net.alice.address();
    let init = Address::new_id(1);
    let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(init, whole(5), vec![])));
    assert_exit(&ret, ExitCode::USR_UNHANDLED_MESSAGE);
    assert_eq!((balance(&mut net, &init), supply(&mut net)), (whole(0), whole(0)));
    // The governor's own transfer to it, likewise: the balance moved before the hook comes back.
    assert_exit(
        &call(&mut net, &alice, MINT_METHOD, Some(&mint_params(alice, whole(5), vec![]))),
        ExitCode::OK,
    );
    let params = TransferParams { to: init, amount: whole(2), operator_data: RawBytes::default() };
    let ret = call(&mut net, &alice, TRANSFER_METHOD, Some(&params));
    assert_exit(&ret, ExitCode::USR_UNHANDLED_MESSAGE);
    assert_eq!((balance(&mut net, &alice), balance(&mut net, &init)), (whole(5), whole(0)));
}

#[test]
fn minting_to_an_address_without_an_actor_creates_nothing() {
    // Upstream runs the token inside a state transaction that refuses sends, so the account
    // the FRC-46 library would create is never made: USR_NOT_FOUND.
    let mut net = datacap_net(Governor::Alice);
    let alice = net.alice.address();
    let stranger = Key::secp(9).address();
    let ret = call(&mut net, &alice, MINT_METHOD, Some(&mint_params(stranger, whole(1), vec![])));
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);
    assert!(net.actor(&stranger).is_none());
    let bob = net.bob.address();
    let ret =
        call(&mut net, &alice, MINT_METHOD, Some(&mint_params(bob, whole(1), vec![stranger])));
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);
    assert_eq!(supply(&mut net), whole(0));
}

#[test]
fn malformed_params_and_internal_methods_are_refused() {
    let mut net = datacap_net(Governor::Alice);
    let (alice, bob) = (net.alice.address(), net.bob.address());
    for method in [MINT_METHOD, BALANCE_METHOD, TRANSFER_METHOD, BURN_METHOD] {
        let ret = net.send_raw(
            &alice,
            &DATACAP,
            method,
            RawBytes::new(vec![0xff]),
            TokenAmount::default(),
        );
        assert_exit(&ret, ExitCode::USR_SERIALIZATION);
    }
    // Missing params where required.
    assert_exit(&call(&mut net, &alice, BALANCE_METHOD, none()), ExitCode::USR_ILLEGAL_ARGUMENT);
    // The constructor: internal, so a contract is refused outright; an account is not the system.
    let (code, _) =
        net.contract_call(&DATACAP, METHOD_CONSTRUCTOR, Some(&alice), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    assert_exit(&call(&mut net, &bob, METHOD_CONSTRUCTOR, Some(&alice)), ExitCode::USR_FORBIDDEN);
    // A method datacap does not have.
    assert_exit(&call(&mut net, &bob, 99, none()), ExitCode::USR_UNHANDLED_MESSAGE);
    let (code, _) = net.contract_call(&DATACAP, 99, none(), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
}
