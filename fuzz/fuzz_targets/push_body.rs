//! A sync push body as the server reads it: parsing and judging every
//! operation never panics, and a vendor is never allowed what an owner is not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wildroot_model::sync::{judge, PushRequest, Role};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<PushRequest>(data) else { return };
    for op in &req.ops {
        let owner = judge(op, Role::Owner);
        let vendor = judge(op, Role::Vendor);
        assert!(owner.is_ok() || vendor.is_err(), "a vendor may record {} but an owner may not", op.kind);
        if let Err(why) = owner {
            assert!(!why.is_empty());
        }
    }
});
