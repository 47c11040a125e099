//! Inline SVG icons (decorative: `aria-hidden`; the text next to them, or an
//! `aria-label` on their control, names them).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconKind {
    Person,
    Building,
    ChevronsUpDown,
    Check,
    Plus,
    Users,
    Shield,
    List,
    Settings,
    Mail,
    Sun,
    Moon,
    Monitor,
    SignOut,
    Menu,
    Close,
    Copy,
    Alert,
    Lock,
    Inbox,
    Search,
    Download,
}

impl IconKind {
    /// SVG path data on a 24×24 grid (after Lucide, ISC licence).
    fn paths(self) -> &'static [&'static str] {
        match self {
            IconKind::Person => &["M19 21v-2a4 4 0 0 0-4-4H9a4 4 0 0 0-4 4v2", "M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"],
            IconKind::Building => &[
                "M6 22V4a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2v18z",
                "M6 12H4a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h2",
                "M18 9h2a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-2",
                "M10 6h4", "M10 10h4", "M10 14h4", "M10 18h4",
            ],
            IconKind::ChevronsUpDown => &["m7 15 5 5 5-5", "m7 9 5-5 5 5"],
            IconKind::Check => &["M20 6 9 17l-5-5"],
            IconKind::Plus => &["M5 12h14", "M12 5v14"],
            IconKind::Users => &[
                "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2",
                "M9 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
                "M22 21v-2a4 4 0 0 0-3-3.87", "M16 3.13a4 4 0 0 1 0 7.75",
            ],
            IconKind::Shield => &["M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"],
            IconKind::List => &["M8 6h13", "M8 12h13", "M8 18h13", "M3 6h.01", "M3 12h.01", "M3 18h.01"],
            IconKind::Settings => &[
                "M12.22 2h-.44a2 2 0 0 0-2 2v.18a2 2 0 0 1-1 1.73l-.43.25a2 2 0 0 1-2 0l-.15-.08a2 2 0 0 0-2.73.73l-.22.38a2 2 0 0 0 .73 2.73l.15.1a2 2 0 0 1 1 1.72v.51a2 2 0 0 1-1 1.74l-.15.09a2 2 0 0 0-.73 2.73l.22.38a2 2 0 0 0 2.73.73l.15-.08a2 2 0 0 1 2 0l.43.25a2 2 0 0 1 1 1.73V20a2 2 0 0 0 2 2h.44a2 2 0 0 0 2-2v-.18a2 2 0 0 1 1-1.73l.43-.25a2 2 0 0 1 2 0l.15.08a2 2 0 0 0 2.73-.73l.22-.39a2 2 0 0 0-.73-2.73l-.15-.08a2 2 0 0 1-1-1.74v-.5a2 2 0 0 1 1-1.74l.15-.09a2 2 0 0 0 .73-2.73l-.22-.38a2 2 0 0 0-2.73-.73l-.15.08a2 2 0 0 1-2 0l-.43-.25a2 2 0 0 1-1-1.73V4a2 2 0 0 0-2-2z",
                "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
            ],
            IconKind::Mail => &["M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z", "m22 7-10 6L2 7"],
            IconKind::Sun => &[
                "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z", "M12 2v2", "M12 20v2", "m4.93 4.93 1.41 1.41",
                "m17.66 17.66 1.41 1.41", "M2 12h2", "M20 12h2", "m6.34 17.66-1.41 1.41", "m19.07 4.93-1.41 1.41",
            ],
            IconKind::Moon => &["M12 3a6 6 0 0 0 9 9 9 9 0 1 1-9-9z"],
            IconKind::Monitor => &["M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z", "M8 21h8", "M12 17v4"],
            IconKind::SignOut => &["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "m16 17 5-5-5-5", "M21 12H9"],
            IconKind::Menu => &["M4 6h16", "M4 12h16", "M4 18h16"],
            IconKind::Close => &["M18 6 6 18", "m6 6 12 12"],
            IconKind::Copy => &["M10 8h10a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10a2 2 0 0 1-2-2V10a2 2 0 0 1 2-2z", "M4 16c-1.1 0-2-.9-2-2V4c0-1.1.9-2 2-2h10c1.1 0 2 .9 2 2"],
            IconKind::Alert => &["m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3", "M12 9v4", "M12 17h.01"],
            IconKind::Lock => &["M5 11h14a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2z", "M7 11V7a5 5 0 0 1 10 0v4"],
            IconKind::Inbox => &["M22 12h-6l-2 3h-4l-2-3H2", "M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z"],
            IconKind::Search => &["M11 3a8 8 0 1 0 0 16 8 8 0 0 0 0-16z", "m21 21-4.3-4.3"],
            IconKind::Download => &["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4", "m7 10 5 5 5-5", "M12 15V3"],
        }
    }
}

/// A 16px (by default) icon in the current text colour.
#[component]
pub fn Icon(kind: IconKind, #[prop(default = 16)] size: u32) -> impl IntoView {
    view! {
        <svg
            class="icon"
            width=size
            height=size
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {kind.paths().iter().map(|d| view! { <path d=*d></path> }).collect_view()}
        </svg>
    }
}
