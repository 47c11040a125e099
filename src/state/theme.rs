//! Light / dark / system theme, remembered in `localStorage` and applied as
//! `data-theme="light|dark"` on the `.roster-app` root (the CSS variables
//! hang off it, so nothing leaks into a host page).

use leptos::prelude::*;

use super::storage;

const STORAGE_KEY: &str = "roster.theme";
const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    Light,
    Dark,
    System,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::Light, ThemeChoice::Dark, ThemeChoice::System];

    pub const fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
            ThemeChoice::System => "system",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
            ThemeChoice::System => "System",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// The theme context (see [`use_theme`]).
#[derive(Clone, Copy)]
pub struct Theme {
    choice: RwSignal<ThemeChoice>,
    system_dark: Signal<bool>,
}

impl Theme {
    /// Reads the remembered choice and follows the system setting.
    pub fn new() -> Self {
        let choice = storage::get(STORAGE_KEY)
            .and_then(|text| ThemeChoice::parse(&text))
            .unwrap_or(ThemeChoice::System);
        let system_dark = crate::dom::media_query(DARK_QUERY);
        Theme {
            choice: RwSignal::new(choice),
            system_dark,
        }
    }

    pub fn choice(&self) -> ThemeChoice {
        self.choice.get()
    }

    pub fn set(&self, choice: ThemeChoice) {
        storage::set(STORAGE_KEY, choice.as_str());
        self.choice.set(choice);
    }

    /// `"light"` or `"dark"`: the choice, or the system's for `System`.
    pub fn resolved(&self) -> &'static str {
        match self.choice.get() {
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
            ThemeChoice::System if self.system_dark.get() => "dark",
            ThemeChoice::System => "light",
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_theme() -> Theme {
    use_context::<Theme>().unwrap_or_else(|| {
        let theme = Theme::new();
        provide_context(theme);
        theme
    })
}
