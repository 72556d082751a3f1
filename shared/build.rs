//! `sqlx::migrate!` embeds `migrations/` at compile time but cannot tell Cargo to watch the
//! folder: without this, a new migration file would not reach the binaries until some source
//! file of this crate changed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
