//! The world the deal benches measure, built through real messages to the real actors: a
//! miner created through power (f1 owner, BLS worker), f1 clients with market escrow, deals
//! published 100 at a time, sectors pre-committed and prove-committed 256 at a time (one 2 KiB
//! piece per sector, activating its deal), and Window PoSts for every partition.

use super::*;

pub(super) fn f05() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

/// A piece CID per deal: a 2 KiB piece fills a 2 KiB sector, so it is the sector's CommD.
pub(super) fn piece(n: u64) -> Cid {
    let mut digest = [0u8; 32];
    digest[..8].copy_from_slice(&n.to_le_bytes());
    digest[8] = 1;
    commd::piece_cid(&digest).unwrap()
}

/// A CommR-shaped CID per sector.
pub(super) fn comm_r(n: u64) -> Cid {
    let mut digest = [0u8; 32];
    digest[..8].copy_from_slice(&n.to_le_bytes());
    digest[8] = 2;
    Cid::new_v1(0xf102, cid::multihash::Multihash::wrap(0xb401, &digest).unwrap())
}

/// The chain, a real miner (f1 owner, BLS worker), and f1 clients with market escrow.
pub(super) struct World {
    pub(super) chain: Chain,
    pub(super) worker: Address,
    pub(super) miner: Address,
    pub(super) clients: Vec<secp256k1::SecretKey>,
    pub(super) next_deal: u64,
}

pub(super) fn world() -> World {
    let owner = address(&secp_key([1; 32]));
    let worker_key = blst::min_pk::SecretKey::key_gen(&[2; 32], &[]).unwrap();
    let worker = Address::new_bls(&worker_key.sk_to_pk().compress()).unwrap();
    let clients: Vec<_> = (0..CLIENTS).map(|i| secp_key([10 + i as u8; 32])).collect();
    let (store, root) = common::genesis(|tree| {
        genesis::install(tree).unwrap();
        create_account(tree, owner, TokenAmount::from_whole(10_000_000)).unwrap();
        create_account(tree, worker, TokenAmount::from_whole(1_000)).unwrap();
        for client in &clients {
            create_account(tree, address(client), TokenAmount::from_whole(1_000)).unwrap();
        }
    });
    let mut chain = Chain::new(store, Arc::new(common::registry()), &root, FIRST_EPOCH);
    let params = CreateMinerParams {
        owner,
        worker,
        window_post_proof_type: POST,
        peer: b"bench-peer".to_vec(),
        multiaddrs: Vec::new(),
    };
    let power = Address::new_id(POWER_ACTOR_ID);
    let deposit = TokenAmount::from_whole(100);
    let ret = chain.send_ok(&owner, &power, CREATE_MINER_METHOD, Some(&params), deposit);
    let miner = decode::<CreateMinerReturn>(&ret).id_address;
    // Funds for pre-commit deposits and pledge, and escrow for deals.
    let funds = TokenAmount::from_whole(100_000);
    chain.send_ok::<()>(&owner, &miner, fvm_shared::METHOD_SEND, None, funds);
    let escrow = TokenAmount::from_whole(100);
    chain.send_ok(&owner, &f05(), ADD_BALANCE_METHOD, Some(&miner), escrow.clone());
    for client in &clients {
        let client = address(client);
        chain.send_ok(&client, &f05(), ADD_BALANCE_METHOD, Some(&client), escrow.clone());
    }
    World { chain, worker, miner, clients, next_deal: 0 }
}

impl World {
    /// Publishes `count` 2 KiB deals starting at `start`, `PUBLISH_BATCH` a message from the
    /// worker; returns their IDs and pieces.
    pub(super) fn publish(&mut self, count: usize, start: ChainEpoch) -> Vec<(DealID, Cid)> {
        let mut published = Vec::with_capacity(count);
        for batch in 0..count.div_ceil(PUBLISH_BATCH) {
            let size = PUBLISH_BATCH.min(count - batch * PUBLISH_BATCH);
            let deals: Vec<ClientDealProposal> = (0..size)
                .map(|_| {
                    let n = self.next_deal;
                    self.next_deal += 1;
                    let key = &self.clients[n as usize % CLIENTS];
                    let proposal = DealProposal {
                        piece_cid: piece(n),
                        piece_size: PaddedPieceSize(2048),
                        verified_deal: false,
                        client: address(key),
                        provider: self.miner,
                        label: Label::String(format!("bench deal {n}")),
                        start_epoch: start,
                        end_epoch: start + MIN_DEAL_DURATION,
                        storage_price_per_epoch: TokenAmount::from_atto(PRICE_PER_EPOCH),
                        provider_collateral: TokenAmount::from_atto(PROVIDER_COLLATERAL),
                        client_collateral: TokenAmount::from_atto(CLIENT_COLLATERAL),
                    };
                    let client_signature =
                        sign(key, &fvm_ipld_encoding::to_vec(&proposal).unwrap());
                    ClientDealProposal { proposal, client_signature }
                })
                .collect();
            let pieces: Vec<Cid> = deals.iter().map(|d| d.proposal.piece_cid).collect();
            let params = PublishStorageDealsParams { deals };
            let worker = self.worker;
            let ret = self.chain.send_ok(
                &worker,
                &f05(),
                PUBLISH_STORAGE_DEALS_METHOD,
                Some(&params),
                TokenAmount::default(),
            );
            let ids = decode::<PublishStorageDealsReturn>(&ret).ids;
            assert_eq!(ids.len(), size, "every deal of the batch is valid");
            published.extend(ids.into_iter().zip(pieces));
        }
        published
    }

    /// Seals one deal per 2 KiB sector (sector number = deal ID): pre-commits in batches of
    /// 256, then, once the seal challenge exists, proves them (aggregated, 256 a message) with
    /// piece manifests that notify the market, which activates the deals.
    /// The sectors expire a day after the later of the deals' end and the shortest lifetime
    /// a pre-commit may ask for (180 days after the latest it may be proven).
    pub(super) fn onboard(&mut self, deals: &[(DealID, Cid)], deal_end: ChainEpoch) {
        let (worker, miner) = (self.worker, self.miner);
        let precommitted_at = self.chain.epoch;
        let shortest = precommitted_at + MAX_PROVE_COMMIT_DURATION + MIN_SECTOR_EXPIRATION;
        let expiration = deal_end.max(shortest) + EPOCHS_IN_DAY;
        for chunk in deals.chunks(PRE_COMMIT_BATCH) {
            let sectors = chunk
                .iter()
                .map(|&(id, piece)| SectorPreCommitInfo {
                    seal_proof: SEAL,
                    sector_number: id,
                    sealed_cid: comm_r(id),
                    seal_rand_epoch: precommitted_at - 1,
                    deal_ids: Vec::new(),
                    expiration,
                    unsealed_cid: Some(piece),
                })
                .collect();
            let params = PreCommitSectorBatch2Params { sectors };
            let method = PRE_COMMIT_SECTOR_BATCH2_METHOD;
            self.chain.send_ok(&worker, &miner, method, Some(&params), TokenAmount::default());
        }
        self.run_to(precommitted_at + PRE_COMMIT_CHALLENGE_DELAY + 1);
        for chunk in deals.chunks(PROVE_BATCH) {
            let sector_activations = chunk
                .iter()
                .map(|&(id, piece)| SectorActivationManifest {
                    sector_number: id,
                    pieces: vec![PieceActivationManifest {
                        cid: piece,
                        size: PaddedPieceSize(2048),
                        verified_allocation_key: None,
                        notify: vec![DataActivationNotification {
                            address: f05(),
                            payload: RawBytes::serialize(id).unwrap(),
                        }],
                    }],
                })
                .collect();
            let params = ProveCommitSectors3Params {
                sector_activations,
                sector_proofs: Vec::new(),
                aggregate_proof: RawBytes::new(vec![7; 4096]),
                aggregate_proof_type: Some(RegisteredAggregateProof::SnarkPackV2),
                require_activation_success: true,
                require_notification_success: true,
            };
            let method = PROVE_COMMIT_SECTORS3_METHOD;
            self.chain.send_ok(&worker, &miner, method, Some(&params), TokenAmount::default());
        }
    }

    pub(super) fn miner_state(&mut self) -> MinerState {
        let miner = self.miner;
        self.chain.state(&miner)
    }

    /// The miner's deadline at the current epoch.
    pub(super) fn deadline(&mut self) -> DeadlineInfo {
        let now = self.chain.epoch;
        self.miner_state().deadline_info(now)
    }

    /// The node's end of the current epoch: the block reward, then cron.
    pub(super) fn end_epoch(&mut self) {
        let miner = self.miner;
        end_epoch(&mut self.chain.exec, &miner);
    }

    /// Moves to `epoch`, ending each of the miner's deadlines on the way as the node ends
    /// every tipset. The epochs in between are left out: nothing of the miner's falls due on
    /// them, and the market and reward catch up over the gap when cron next ticks.
    pub(super) fn run_to(&mut self, epoch: ChainEpoch) {
        loop {
            let last = self.deadline().last();
            if last >= epoch {
                break;
            }
            self.chain.advance_to(last);
            self.end_epoch();
            self.chain.advance_to(last + 1);
        }
        self.chain.advance_to(epoch);
    }

    /// The open deadline's partitions: (index, live sectors).
    pub(super) fn partitions(&mut self) -> (DeadlineInfo, Vec<(u64, BitField)>) {
        let st = self.miner_state();
        let dl = st.deadline_info(self.chain.epoch);
        let store = self.chain.store.clone();
        let deadline = st.load_deadlines(&store).unwrap().load_deadline(&store, dl.index).unwrap();
        let mut partitions = Vec::new();
        deadline
            .partitions_amt(&store)
            .unwrap()
            .for_each(|index, p: &Partition| {
                partitions.push((index, &p.sectors - &p.terminated));
                Ok(())
            })
            .unwrap();
        (dl, partitions)
    }

    /// Proves every partition of the open deadline, three per `SubmitWindowedPoSt` (the
    /// policy's most), with the devnet's proof; returns how many partitions.
    pub(super) fn post_deadline(&mut self) -> usize {
        let (dl, partitions) = self.partitions();
        assert!(dl.is_open());
        let st = self.miner_state();
        let store = self.chain.store.clone();
        let entropy = fvm_ipld_encoding::to_vec(&self.miner).unwrap();
        let challenge = draw_randomness(
            &beacon_digest(dl.challenge),
            DomainSeparationTag::WindowedPoStChallengeSeed,
            dl.challenge,
            &entropy,
        );
        let commit_epoch = self.chain.epoch - 1;
        let commit_rand = draw_randomness(
            &chain_digest(commit_epoch),
            DomainSeparationTag::PoStChainCommit,
            commit_epoch,
            &[],
        );
        for chunk in partitions.chunks(POSTED_PARTITIONS_MAX as usize) {
            let mut sectors = BitField::new();
            for (_, live) in chunk {
                sectors |= live;
            }
            let infos: Vec<SectorInfo> = st
                .load_sector_infos(&store, &sectors)
                .unwrap()
                .into_iter()
                .map(|s| SectorInfo {
                    proof: s.seal_proof,
                    sector_number: s.sector_number,
                    sealed_cid: s.sealed_cid,
                })
                .collect();
            let proof_bytes = expected_window_post_proof(&challenge, &infos).unwrap();
            let params = SubmitWindowedPoStParams {
                deadline: dl.index,
                partitions: chunk
                    .iter()
                    .map(|&(index, _)| PoStPartition { index, skipped: BitField::new() })
                    .collect(),
                proofs: vec![PoStProof { post_proof: POST, proof_bytes }],
                chain_commit_epoch: commit_epoch,
                chain_commit_rand: Randomness(commit_rand.to_vec()),
            };
            let (worker, miner) = (self.worker, self.miner);
            let method = SUBMIT_WINDOWED_POST_METHOD;
            self.chain.send_ok(&worker, &miner, method, Some(&params), TokenAmount::default());
        }
        partitions.len()
    }

    /// Runs deadline by deadline, proving each when it is open, until the first deadline
    /// opening at or after `until`; stops at its open epoch, unproven.
    pub(super) fn prove_until(&mut self, until: ChainEpoch) {
        loop {
            self.post_deadline();
            let last = self.deadline().last();
            self.chain.advance_to(last);
            self.end_epoch();
            self.chain.advance_to(last + 1);
            if self.chain.epoch >= until {
                return;
            }
        }
    }

    /// The current state, to measure an epoch on.
    pub(super) fn snapshot(&mut self) -> Snapshot {
        Snapshot {
            store: self.chain.store.clone(),
            registry: self.chain.registry.clone(),
            root: self.chain.root(),
            epoch: self.chain.epoch,
            miner: self.miner,
        }
    }
}
