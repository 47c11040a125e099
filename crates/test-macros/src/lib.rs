//! `#[page_test]`, the attribute of every wasm-bindgen test of the SPA.
//!
//! It is `#[wasm_bindgen_test]` with one check around the test's body:
//! `crate::testing::browser::checked` fails the test when the page
//! had an uncaught error or a Rust panic while it ran (a panic in a spawned
//! task or a timer does not fail the test that caused it by itself), and
//! prints what was thrown.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, ItemFn};

#[proc_macro_attribute]
pub fn page_test(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[page_test] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let test = parse_macro_input!(item as ItemFn);
    if !test.sig.inputs.is_empty() || !matches!(test.sig.output, syn::ReturnType::Default) {
        return syn::Error::new_spanned(
            &test.sig,
            "a #[page_test] takes no arguments and returns nothing",
        )
        .to_compile_error()
        .into();
    }
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = test;
    let name = &sig.ident;
    quote! {
        #[::wasm_bindgen_test::wasm_bindgen_test]
        #(#attrs)*
        #vis async fn #name() {
            crate::testing::browser::checked(async move #block).await
        }
    }
    .into()
}
