fn main() {
    roster::mount();
}
