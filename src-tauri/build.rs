// tauri.conf.json lives at the repository root, beside dist/ that the UI build writes.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json")).unwrap_or_else(|e| {
        println!("cargo:warning=tauri build step failed: {e:#}");
        std::process::exit(1)
    })
}
