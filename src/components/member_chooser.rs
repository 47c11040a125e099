//! Choosing one member out of possibly thousands: a search field and the
//! first matches as radio buttons (promoting someone to owner, naming a
//! successor before leaving).

use leptos::prelude::*;
use roster_core::wire::OrganizationUser;

use crate::dom;
use crate::format::member_label;
use crate::state::MemberStore;

/// How many matches are offered at once.
const SHOWN: usize = 8;

/// Members other than `me` who are not owners, filtered by a search field;
/// the chosen one goes to `chosen`.
#[component]
pub fn MemberChooser(
    store: MemberStore,
    /// The signed-in user's id (never offered).
    #[prop(into)]
    me: String,
    /// Names the group of choices, e.g. "New owner".
    legend: &'static str,
    chosen: RwSignal<Option<OrganizationUser>>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let search_id = dom::unique_id("member-chooser");
    let group_name = StoredValue::new(dom::unique_id("member-choice"));
    let me = StoredValue::new(me);
    // One more than shown tells whether there are more.
    let matches =
        Memo::new(move |_| query.with(|q| me.with_value(|me| store.promotable(me, q, SHOWN + 1))));
    let shown = move || matches.with(|m| m.iter().take(SHOWN).cloned().collect::<Vec<_>>());
    let more = move || matches.with(|m| m.len() > SHOWN);

    view! {
        <div class="member-chooser">
            <div class="field">
                <label for=search_id.clone()>"Find a member"</label>
                <input
                    id=search_id
                    class="input"
                    type="search"
                    autocomplete="off"
                    placeholder="Name or e-mail"
                    data-autofocus=""
                    prop:value=move || query.get()
                    on:input=move |event| query.set(event_target_value(&event))
                />
            </div>
            <fieldset class="member-choices">
                <legend>{legend}</legend>
                <Show
                    when=move || matches.with(|m| !m.is_empty())
                    fallback=|| view! { <p class="muted">"No member matches."</p> }
                >
                    <For each=shown key=|m| m.user_id.clone() let:member>
                        {
                            let option_id = dom::unique_id("member-option");
                            let user_id = member.user_id.clone();
                            let label = member_label(&member);
                            let stored = StoredValue::new(member);
                            view! {
                                <div class="choice">
                                    <input
                                        id=option_id.clone()
                                        type="radio"
                                        name=group_name.get_value()
                                        value=user_id.clone()
                                        prop:checked=move || chosen.with(|c| c.as_ref().is_some_and(|c| c.user_id == user_id))
                                        on:change=move |_| chosen.set(Some(stored.get_value()))
                                    />
                                    <label for=option_id>{label}</label>
                                </div>
                            }
                        }
                    </For>
                </Show>
                <Show when=more>
                    <p class="muted">"More members match: refine the search to find others."</p>
                </Show>
            </fieldset>
        </div>
    }
}
