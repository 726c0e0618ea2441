/// mimalloc, as in the `wildroot` binary: applying a pulled page
/// allocates and frees for every operation, and a new device's first sync
/// of 100,000 operations took 5.7-6.5 s with glibc's malloc against
/// 5.1-5.3 s with mimalloc (`cargo bench -p wildroot-server --bench sync`).
/// Only Rust's allocations: WebKit and GTK keep their own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    wildroot_app_lib::run()
}
