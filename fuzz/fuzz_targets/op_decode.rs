//! An operation as it travels (from a device, from the server, from an
//! exported file): decoding never panics, and whatever decodes encodes back
//! to the same operation, so every device replays the same thing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wildroot_model::sync::WireOp;

fuzz_target!(|data: &[u8]| {
    let Ok(wire) = serde_json::from_slice::<WireOp>(data) else { return };
    let Ok(op) = wire.to_op() else { return };
    let again = WireOp::from_op(&op).expect("a decoded operation encodes");
    assert_eq!(again.to_op().expect("an encoded operation decodes"), op);
});
