//! An operation as it travels (from a device, from the server, from an
//! exported file): decoding never panics, whatever decodes encodes back
//! to the same operation, so every device replays the same thing, and the
//! content check (`bounds::check`, the server's `judge`) never panics and
//! agrees with `judge` for an owner. (That nothing `judge` takes can make a
//! device fail to apply it is `core/tests/trust.rs`, which needs SQLite.)
#![no_main]
use libfuzzer_sys::fuzz_target;
use wildroot_model::sync::WireOp;

fuzz_target!(|data: &[u8]| {
    let Ok(wire) = serde_json::from_slice::<WireOp>(data) else { return };
    let Ok(op) = wire.to_op() else { return };
    let again = WireOp::from_op(&op).expect("a decoded operation encodes");
    assert_eq!(again.to_op().expect("an encoded operation decodes"), op);
    let content = wildroot_model::bounds::check(&op.kind);
    if wire.version <= wildroot_model::OP_VERSION {
        let judged = wildroot_model::sync::judge(&wire, wildroot_model::sync::Role::Owner);
        assert_eq!(judged.is_ok(), content.is_ok(), "judge and the content check disagree: {judged:?} {content:?}");
    }
});
