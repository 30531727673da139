// `sqlx::migrate!` embeds the migrations in the server at compile time; without this, a new
// migration file would not rebuild the server and would silently not run.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
