//! "Invite Member": one or many addresses pasted at once, each reviewed on
//! its own row (`roster_core::review_invitees`: invalid, already a member,
//! already invited, listed twice), a role and assignments for all of them,
//! one request per address, then a summary of what was sent and what failed.

use std::collections::BTreeSet;

use leptos::prelude::*;
use roster_core::wire::CreateOrganizationInvitation;
use roster_core::{review_invitees, Invitee, Role, DEVELOPER_ID};

use super::assignment_picker::{AssignmentList, LoadedAssignmentChecklist};
use crate::api;
use crate::components::{Badge, BadgeVariant, Button, ButtonVariant, Dialog};
use crate::dom;
use crate::state::use_toasts;

/// The outcome of one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub email: String,
    /// The server's message when it failed.
    pub error: Option<String>,
}

/// What the dialog needs from its page.
#[derive(Clone, Copy)]
pub struct InviteSources {
    pub organization_id: StoredValue<String>,
    /// Addresses of the members, and of the open invitations.
    pub member_emails: Signal<Vec<String>>,
    pub invited_emails: Signal<Vec<String>>,
    pub assignments: Signal<AssignmentList>,
    pub retry_assignments: Callback<()>,
}

crate::components::split_view! {
    /// [`InviteDialog`] and its form, downloaded when first opened.
    pub fn invite_dialog(open: RwSignal<bool>, sources: InviteSources, on_sent: Callback<()>) in members_extras, preload preload_invite {
        view! { <InviteDialog open=open sources=sources on_sent=on_sent /> }
    }
}

#[component]
pub fn InviteDialog(
    open: RwSignal<bool>,
    sources: InviteSources,
    /// Invitations were sent (the page reloads its pending list).
    on_sent: Callback<()>,
) -> impl IntoView {
    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Invite Member" class="dialog-wide">
            <InviteForm sources=sources on_close=Callback::new(move |_| open.set(false)) on_sent=on_sent />
        </Dialog>
    }
}

#[component]
pub fn InviteForm(
    sources: InviteSources,
    on_close: Callback<()>,
    on_sent: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let text = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Member);
    let selected = RwSignal::new(BTreeSet::from([DEVELOPER_ID.to_owned()]));
    let results = RwSignal::new(None::<Vec<Sent>>);
    let emails_id = dom::unique_id("invite-emails");
    let hint_id = format!("{emails_id}-hint");
    let role_id = dom::unique_id("invite-role");

    let reviewed = Memo::new(move |_| {
        let members = sources.member_emails.get();
        let invited = sources.invited_emails.get();
        text.with(|t| {
            review_invitees(
                t,
                members.iter().map(String::as_str),
                invited.iter().map(String::as_str),
            )
        })
    });
    let ready = Memo::new(move |_| {
        reviewed.with(|list| {
            list.iter()
                .filter(|i| i.status.is_ready())
                .filter_map(|i| i.email.clone())
                .collect::<Vec<_>>()
        })
    });

    let send = Action::new_local(move |emails: &Vec<String>| {
        let emails = emails.clone();
        let organization_id = sources.organization_id.get_value();
        let role = role.get_untracked();
        let assigned_role_ids: Vec<String> = if role.is_owner() {
            Vec::new()
        } else {
            selected.get_untracked().into_iter().collect()
        };
        async move {
            let mut outcome = Vec::with_capacity(emails.len());
            for email in emails {
                let body = CreateOrganizationInvitation {
                    email: email.clone(),
                    role,
                    assigned_role_ids: assigned_role_ids.clone(),
                    expires_at: None,
                };
                let error = api::invitations::create_invitation(&organization_id, &body)
                    .await
                    .err()
                    .map(|e| e.to_string());
                outcome.push(Sent { email, error });
            }
            let sent = outcome.iter().filter(|s| s.error.is_none()).count();
            let failed = outcome.len() - sent;
            if sent > 0 {
                // The page may have been left while they were sent.
                on_sent.try_run(());
            }
            match (sent, failed) {
                (_, 0) => toasts.success(invitations_sent(sent)),
                (0, _) => toasts.push(
                    crate::state::ToastKind::Error,
                    format!("No invitation was sent: {}", first_error(&outcome)),
                ),
                _ => toasts.warning(format!("{}; {failed} failed", invitations_sent(sent))),
            }
            results.try_set(Some(outcome));
        }
    });
    let sending = send.pending();

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let emails = ready.get_untracked();
        if !emails.is_empty() && !sending.get_untracked() {
            send.dispatch(emails);
        }
    };

    let summary_line = move || {
        let (total, ready) = (reviewed.with(Vec::len), ready.with(Vec::len));
        match (total, ready) {
            (0, _) => "Enter one or more addresses.".to_owned(),
            (total, ready) if ready == total => format!("{} ready to send.", invitations(ready)),
            (total, ready) => format!(
                "{} ready to send; {} of {total} {} will be skipped.",
                invitations(ready),
                total - ready,
                if total == 1 { "address" } else { "addresses" }
            ),
        }
    };

    let form = move || {
        if let Some(outcome) = results.get() {
            return view! { <SendSummary outcome=outcome on_close=on_close /> }.into_any();
        }
        let emails_id = emails_id.clone();
        let hint_id = hint_id.clone();
        let role_id = role_id.clone();
        view! {
            <form on:submit=submit novalidate>
                <div class="dialog-body invite-body">
                    <div class="field">
                        <label for=emails_id.clone()>"Email addresses"</label>
                        <textarea
                            id=emails_id
                            class="input"
                            rows="3"
                            autocomplete="off"
                            spellcheck="false"
                            aria-describedby=hint_id.clone()
                            prop:value=move || text.get()
                            on:input=move |event| text.set(event_target_value(&event))
                        ></textarea>
                        <p class="field-hint" id=hint_id>
                            "Paste one or many addresses, separated by commas or new lines."
                        </p>
                    </div>
                    <Show when=move || reviewed.with(|r| !r.is_empty())>
                        <ul class="invitee-list" aria-label="Addresses to invite">
                            {move || {
                                reviewed
                                    .get()
                                    .into_iter()
                                    .map(|invitee| view! { <InviteeRow invitee=invitee /> })
                                    .collect_view()
                            }}
                        </ul>
                    </Show>
                    <p class="invite-summary" role="status">{summary_line}</p>
                    <div class="field">
                        <label for=role_id.clone()>"Role"</label>
                        <select
                            id=role_id
                            class="input"
                            on:change=move |event| {
                                if let Ok(chosen) = event_target_value(&event).parse::<Role>() {
                                    role.set(chosen);
                                }
                            }
                        >
                            {Role::ALL
                                .iter()
                                .map(|r| {
                                    let r = *r;
                                    view! {
                                        <option value=r.as_str() prop:selected=move || role.get() == r>
                                            {r.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {move || {
                        if role.get().is_owner() {
                            view! {
                                <p class="muted">"Owners have full access: assignments do not apply to them."</p>
                            }
                            .into_any()
                        } else {
                            view! {
                                <LoadedAssignmentChecklist
                                    legend="Assignments"
                                    assignments=sources.assignments
                                    selected=selected
                                    on_retry=sources.retry_assignments
                                />
                            }
                            .into_any()
                        }
                    }}
                </div>
                <div class="dialog-footer">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <Button
                        variant=ButtonVariant::Primary
                        submit=true
                        busy=sending
                        disabled=Signal::derive(move || ready.with(Vec::is_empty))
                        {..}
                        aria-label="Send invitations"
                    >
                        "Send invitations"
                        <span class="button-count" aria-hidden="true">{move || ready.with(Vec::len).to_string()}</span>
                    </Button>
                </div>
            </form>
        }
        .into_any()
    };
    view! { {form} }
}

/// One reviewed address: as normalised (or as typed when invalid), and
/// whether it will be sent.
#[component]
fn InviteeRow(invitee: Invitee) -> impl IntoView {
    let ready = invitee.status.is_ready();
    let shown = invitee
        .email
        .clone()
        .unwrap_or_else(|| invitee.entered.clone());
    let (variant, state) = match &invitee.status {
        roster_core::InviteeStatus::Ready => (BadgeVariant::Success, "ready"),
        roster_core::InviteeStatus::Invalid(_) => (BadgeVariant::Danger, "invalid"),
        _ => (BadgeVariant::Warning, "skipped"),
    };
    view! {
        <li class="invitee" class:invitee-skipped=!ready data-status=state>
            <span class="invitee-email">{shown}</span>
            <Badge variant=variant>{invitee.status.message()}</Badge>
        </li>
    }
}

#[component]
fn SendSummary(outcome: Vec<Sent>, on_close: Callback<()>) -> impl IntoView {
    let (sent, failed): (Vec<Sent>, Vec<Sent>) =
        outcome.into_iter().partition(|s| s.error.is_none());
    let sent_title = dom::unique_id("invite-sent");
    let failed_title = dom::unique_id("invite-failed");
    let sent_view = (!sent.is_empty()).then(|| {
        view! {
            <section class="send-summary-part" aria-labelledby=sent_title.clone()>
                <h3 id=sent_title.clone()>{format!("Sent ({})", sent.len())}</h3>
                <ul class="send-summary-list">
                    {sent.into_iter().map(|s| view! { <li>{s.email}</li> }).collect_view()}
                </ul>
            </section>
        }
    });
    let failed_view = (!failed.is_empty()).then(|| {
        view! {
            <section class="send-summary-part send-summary-failed" aria-labelledby=failed_title.clone()>
                <h3 id=failed_title.clone()>{format!("Failed ({})", failed.len())}</h3>
                <ul class="send-summary-list">
                    {failed
                        .into_iter()
                        .map(|s| {
                            view! {
                                <li>
                                    <span class="invitee-email">{s.email}</span>
                                    " \u{2014} "
                                    <span class="send-error">{s.error.unwrap_or_default()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <div class="dialog-body send-summary" role="status">
            {sent_view}
            {failed_view}
        </div>
        <div class="dialog-footer">
            <button type="button" class="btn btn-primary" data-autofocus="" on:click=move |_| on_close.run(())>
                "Done"
            </button>
        </div>
    }
}

fn invitations(n: usize) -> String {
    if n == 1 {
        "1 invitation".to_owned()
    } else {
        format!("{n} invitations")
    }
}

fn invitations_sent(n: usize) -> String {
    format!("{} sent", invitations(n))
}

fn first_error(outcome: &[Sent]) -> String {
    outcome
        .iter()
        .find_map(|s| s.error.clone())
        .unwrap_or_default()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::fire;
    use roster_core::global_assignments_wire;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn mount_form(fixture: &Fixture) -> impl Drop {
        let sources = InviteSources {
            organization_id: StoredValue::new("org".to_owned()),
            member_emails: Signal::derive(|| vec!["ada@example.com".to_owned()]),
            invited_emails: Signal::derive(|| vec!["bob@example.com".to_owned()]),
            assignments: Signal::derive(|| {
                Some(Ok(global_assignments_wire(chrono::DateTime::UNIX_EPOCH)))
            }),
            retry_assignments: Callback::new(|_| ()),
        };
        fixture.mount(move || {
            view! { <InviteForm sources=sources on_close=Callback::new(|_| ()) on_sent=Callback::new(|_| ()) /> }
        })
    }

    fn rows(fixture: &Fixture) -> Vec<(String, String, String)> {
        fixture
            .find_all(".invitee")
            .iter()
            .map(|li| {
                let text = |selector: &str| {
                    li.query_selector(selector)
                        .ok()
                        .flatten()
                        .and_then(|e| e.text_content())
                        .unwrap_or_default()
                };
                (
                    text(".invitee-email"),
                    text(".badge"),
                    li.get_attribute("data-status").unwrap_or_default(),
                )
            })
            .collect()
    }

    #[page_test]
    async fn pasted_addresses_are_reviewed_row_by_row_before_sending() {
        let fixture = Fixture::new();
        let _handle = mount_form(&fixture);
        settle().await;
        let textarea = fixture.find("textarea");
        let label = fixture.find(&format!("label[for=\"{}\"]", textarea.id()));
        assert_eq!(label.text_content().unwrap(), "Email addresses");
        let send = fixture.find("button[type=submit]");
        assert_eq!(
            send.get_attribute("aria-label").as_deref(),
            Some("Send invitations")
        );
        assert!(send.has_attribute("disabled"), "nothing to send yet");

        // Three addresses: a new one (typed in capitals), an invalid one, and
        // a member's address in other case.
        let textarea: web_sys::HtmlTextAreaElement = textarea.unchecked_into();
        textarea.set_value(" Carol@Example.com,\nnot-an-email\nADA@example.com ");
        fire(&textarea, "input");
        settle().await;
        assert_eq!(
            rows(&fixture),
            [
                (
                    "carol@example.com".to_owned(),
                    "Ready to invite".to_owned(),
                    "ready".to_owned()
                ),
                (
                    "not-an-email".to_owned(),
                    "'not-an-email' is not a valid email address".to_owned(),
                    "invalid".to_owned()
                ),
                (
                    "ada@example.com".to_owned(),
                    "Already a member".to_owned(),
                    "skipped".to_owned()
                ),
            ]
        );
        assert!(!send.has_attribute("disabled"));
        assert_eq!(fixture.find(".button-count").text_content().unwrap(), "1");
        assert_eq!(
            fixture.find(".invite-summary").text_content().unwrap(),
            "1 invitation ready to send; 2 of 3 addresses will be skipped."
        );

        // A pending invitation's address is flagged too.
        textarea.set_value("bob@example.com dave@example.com");
        fire(&textarea, "input");
        settle().await;
        let statuses: Vec<String> = rows(&fixture).into_iter().map(|r| r.1).collect();
        assert_eq!(statuses, ["Already invited", "Ready to invite"]);
    }

    #[page_test]
    async fn role_defaults_to_member_and_assignments_to_developer() {
        let fixture = Fixture::new();
        let _handle = mount_form(&fixture);
        settle().await;
        let select: web_sys::HtmlSelectElement = fixture.find("select").unchecked_into();
        assert_eq!(select.value(), "member");
        let label = fixture.find(&format!("label[for=\"{}\"]", select.id()));
        assert_eq!(label.text_content().unwrap(), "Role");
        let checked: Vec<String> = fixture
            .find_all("input[type=checkbox]")
            .into_iter()
            .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>())
            .filter(|i| i.checked())
            .map(|i| {
                fixture
                    .find(&format!("label[for=\"{}\"]", i.id()))
                    .text_content()
                    .unwrap()
            })
            .collect();
        assert_eq!(checked, ["Viewer", "Developer"]);

        select.set_value("owner");
        fire(&select, "change");
        settle().await;
        assert!(fixture.find_all("input[type=checkbox]").is_empty());
        assert!(fixture
            .container
            .text_content()
            .unwrap()
            .contains("Owners have full access"));
    }
}
