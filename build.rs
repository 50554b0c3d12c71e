fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .set_out_dir(std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"))
        .process()
        .expect("grammar/expr.lalrpop must generate");
    println!("cargo:rerun-if-changed=grammar");
}
