// `sqlx::migrate!` embeds the migrations at compile time: build again when
// one of them changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
