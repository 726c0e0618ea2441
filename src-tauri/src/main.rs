fn main() {
    wildroot_app_lib::run()
}
