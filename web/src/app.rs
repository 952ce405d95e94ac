//! The page: the reducer, the effects that run scenarios, autoplay and keep the URL, and
//! the stage: a slim top bar (title, scenario picker, Share, the drawer), the diagram
//! with its step strip docked under it and the inspector beside it (below it on a
//! phone), and the drawer with the log and the editors. In embed mode only the diagram,
//! the step strip and a link to the playground.
//!
//! Components get typed callbacks made here from the reducer's dispatcher; none of them
//! sees an `Action`.

use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use kmsplay_core::diagram::{snapshot, Snapshot};
use kmsplay_core::scenario::experiment::{experiments_for_run, Experiment, ExperimentOption};
use kmsplay_core::view::failure::explain;
use yew::{
    classes, component, html, use_effect_with, use_memo, use_node_ref, use_reducer, use_state_eq,
    Callback, Html, NodeRef, UseReducerDispatcher, UseReducerHandle,
};

use crate::components::break_it::{BreakIt, PlaceWords};
use crate::components::cloudtrail_log::CloudTrailLog;
use crate::components::diagram::Diagram;
use crate::components::drawer::Drawer;
use crate::components::embed_dialog::EmbedTarget;
use crate::components::experiment_banner::ExperimentBanner;
use crate::components::inspector::Inspector;
use crate::components::legend::Legend;
use crate::components::open_file::{use_file_drop, OpenFile, Opened};
use crate::components::policy_check::PolicyCheckView;
use crate::components::policy_editor::PolicyEditor;
use crate::components::scenario_editor::ScenarioEditor;
use crate::components::scenario_picker::ScenarioPicker;
use crate::components::share_bar::ShareBar;
use crate::components::step_strip::StepStrip;
use crate::hooks::{
    use_embed_height, use_hash_change, use_keyboard, use_permalink, use_popover, use_root_marks,
    AfterPaint,
};
use crate::link::{self, EmbedOptions, Request};
use crate::state::{Action, Loaded, NameField, OutcomeFilter, Panel, State};

/// How often autoplay advances.
const AUTOPLAY_MS: u32 = 1_500;
/// The pause in typing after which the key policy editor's text is applied.
const POLICY_DEBOUNCE_MS: u32 = 300;

/// What the page's URL asks for.
fn page_request() -> Request {
    let location = web_sys::window().map(|w| w.location());
    let part = |get: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location
            .as_ref()
            .and_then(|l| get(l).ok())
            .unwrap_or_default()
    };
    link::request(
        &part(web_sys::Location::pathname),
        &part(web_sys::Location::search),
        &part(web_sys::Location::hash),
    )
}

/// A callback that dispatches the action `make` builds from its argument.
fn send<T: 'static>(
    dispatch: &UseReducerDispatcher<State>,
    make: impl Fn(T) -> Action + 'static,
) -> Callback<T> {
    let dispatch = dispatch.clone();
    Callback::from(move |value: T| dispatch.dispatch(make(value)))
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let request = use_memo((), |()| page_request());
    let embed = request.embed;
    let state = {
        let initial = request.initial.clone();
        use_reducer(move || State::new(initial))
    };
    let dispatch = state.dispatcher();
    use_keyboard(dispatch.clone(), embed.is_none_or(|e| e.controls));
    let on_open = {
        let dispatch = dispatch.clone();
        Callback::from(move |(name, contents): Opened| {
            dispatch.dispatch(Action::OpenFile { name, contents });
        })
    };
    use_file_drop(on_open.clone(), embed.is_none());
    use_permalink(state.clone(), embed.is_none());
    use_hash_change(dispatch.clone());
    use_root_marks(embed.and_then(|e| e.theme), embed.is_some());
    let embed_root = use_node_ref();
    // Only a drawn run's height (or its error's): "Running…" is not the flow's.
    use_embed_height(embed_root.clone(), embed.is_some() && !state.is_running());

    // Run a pending scenario after the page has painted "Running…".
    {
        let dispatch = dispatch.clone();
        let pending = state.pending.clone();
        use_effect_with(pending.as_ref().map(|p| p.id), move |_| {
            let timer = pending.map(|pending| {
                AfterPaint::new(move || {
                    dispatch.dispatch(Action::Finished(Rc::new(pending.run())));
                })
            });
            move || drop(timer)
        });
    }

    // Autoplay.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.playing, move |playing| {
            let timer = playing
                .then(|| Interval::new(AUTOPLAY_MS, move || dispatch.dispatch(Action::Tick)));
            move || drop(timer)
        });
    }

    // The key policy editor applies its text once typing pauses.
    {
        let dispatch = dispatch.clone();
        let text = state.policy.as_ref().map(|p| p.text.clone());
        use_effect_with(text, move |text| {
            let timer = text.is_some().then(|| {
                Timeout::new(POLICY_DEBOUNCE_MS, move || {
                    dispatch.dispatch(Action::ApplyPolicy)
                })
            });
            move || drop(timer)
        });
    }

    // The policy check runs once typing pauses.
    {
        let dispatch = dispatch.clone();
        let typed = state
            .check
            .as_ref()
            .filter(|c| c.stale())
            .map(|c| (c.text.clone(), c.names.clone()));
        use_effect_with(typed, move |typed| {
            let timer = typed.is_some().then(|| {
                Timeout::new(POLICY_DEBOUNCE_MS, move || {
                    dispatch.dispatch(Action::RunCheck)
                })
            });
            move || drop(timer)
        });
    }

    let snapshot = {
        let loaded = state.loaded.clone();
        use_memo(
            (state.loaded.as_ref().map(|l| l.id), state.step),
            move |&(_, step)| loaded.map(|l| Rc::new(snapshot(l.steps(), step))),
        )
    };
    // The experiments offered, named with the unmodified run's step numbers.
    let options: Rc<Vec<ExperimentOption>> = {
        let base = state.loaded.as_ref().map(|l| l.base());
        use_memo(base.as_ref().map(|b| b.id), move |_| {
            base.map(|b| experiments_for_run(&b.scenario.source, b.steps()))
                .unwrap_or_default()
        })
    };
    let legend = use_popover();
    // The diagram first, the inspector after (issue 16): the inspector is put in the page
    // once the diagram has been drawn for the first time. Before, it came first and its
    // layout held up the diagram's.
    let diagram_drawn = use_state_eq(|| false);
    let on_drawn = {
        let diagram_drawn = diagram_drawn.clone();
        Callback::from(move |()| diagram_drawn.set(true))
    };

    let on_go = send(&dispatch, Action::GoTo);
    let on_play = send(&dispatch, |()| Action::TogglePlay);
    let on_select = send(&dispatch, |id: String| Action::Select(Some(id)));
    let notice = state.notice.as_ref().map(|notice| {
        let on_dismiss = send(&dispatch, |_: yew::MouseEvent| Action::DismissNotice);
        html! {
            <div class="notice" role="status" data-testid="notice">
                <p>{ notice.clone() }</p>
                <button type="button" class="secondary dismiss" aria-label="Dismiss this message"
                        onclick={on_dismiss}>
                    { "Dismiss" }
                </button>
            </div>
        }
    });

    if let Some(options) = embed {
        return embed_view(
            &state,
            (*snapshot).clone(),
            options,
            embed_root,
            notice,
            (on_go, on_play, on_select),
        );
    }

    let current_title = state
        .loaded
        .as_ref()
        .map(|l| l.base().scenario.title.clone())
        .unwrap_or_else(|| "Loading…".to_owned());

    let stage = match (&state.check, &state.loaded, &*snapshot) {
        (Some(check), _, _) if state.checking => html! {
            <PolicyCheckView check={check.clone()}
                             on_input={send(&dispatch, Action::CheckInput)}
                             on_name={send(&dispatch, |(field, value): (NameField, String)| Action::CheckName(field, value))}
                             on_names_from_policy={send(&dispatch, |()| Action::CheckNamesFromPolicy)}
                             on_apply={send(&dispatch, Action::ApplyFix)}
                             on_open={send(&dispatch, Action::OpenVerdict)}
                             on_close={send(&dispatch, |()| Action::CloseCheck)} />
        },
        (_, Some(loaded), Some(snapshot)) => {
            let places = Rc::new(place_words(&state, loaded, &options));
            html! {
                <>
                    <div class="stage-main">
                        <div class="stage-head" onkeydown={legend.onkeydown.clone()}>
                            <h2 class="scenario-title" data-testid="scenario-title"
                                title={loaded.scenario.title.clone()}>
                                { loaded.scenario.title.clone() }
                            </h2>
                            <BreakIt options={options.clone()} {places}
                                     active={loaded.experiment.as_ref().map(|e| e.label.clone())}
                                     placement={state.placement} error={state.experiment_error.clone()}
                                     running={state.is_running()}
                                     on_apply={send(&dispatch, |(label, experiment): (String, Experiment)| Action::ApplyExperiment { label, experiment })}
                                     on_edit_policy={send(&dispatch, |()| Action::OpenPolicyEditor)}
                                     on_place={send(&dispatch, Action::Place)} />
                            { legend.backdrop() }
                            <button type="button" class="stage-button legend-button" ref={legend.button.clone()}
                                    aria-expanded={legend.open.to_string()} aria-controls="legend"
                                    onclick={legend.toggle.clone()}>
                                { "Legend" }
                            </button>
                            if legend.open {
                                <div id="legend" class="legend-popover"><Legend /></div>
                            }
                        </div>
                        if loaded.experiment.is_some() {
                            <ExperimentBanner loaded={loaded.clone()} on_go={on_go.clone()}
                                              on_reset={send(&dispatch, |()| Action::ResetExperiment)} />
                        }
                        <Diagram loaded={loaded.clone()} snapshot={snapshot.clone()}
                                 selected={state.selected.clone()} on_select={on_select.clone()}
                                 {on_drawn} />
                        { step_strip(&state, loaded, true, on_go.clone(), on_play.clone()) }
                    </div>
                    <div class="stage-side">
                        if *diagram_drawn {
                            <Inspector loaded={loaded.clone()} snapshot={snapshot.clone()}
                                       tab={state.tab} selected={state.selected.clone()}
                                       on_tab={send(&dispatch, Action::ShowTab)} on_go={on_go.clone()}
                                       on_clear={send(&dispatch, |()| Action::Select(None))} />
                        }
                    </div>
                </>
            }
        }
        // Before the first run: the stage's two boxes as they will be, the side panel
        // empty, so that nothing moves when the diagram and the inspector arrive (the
        // same elements, in the same places: Yew patches them in place).
        _ => html! {
            <>
                <div class="stage-main">
                    <p class="loading" role="status">{ "Running the scenario in your browser…" }</p>
                </div>
                <div class="stage-side"></div>
            </>
        },
    };

    let editor = html! {
        <ScenarioEditor text={state.editor.clone()} error={state.editor_error.clone()}
                        loaded={state.loaded.clone()} running={state.is_running()}
                        on_input={send(&dispatch, Action::EditorInput)}
                        on_run={send(&dispatch, |()| Action::RunEditor)}
                        on_reset={send(&dispatch, |()| Action::ResetEditor)} />
    };
    // Before any run, a scenario that does not parse is shown in the editor.
    let drawer_panel = state.drawer.or_else(|| {
        (state.loaded.is_none() && state.editor_error.is_some()).then_some(Panel::Editor)
    });
    let drawer = drawer_panel.map(|panel| {
        let log = state
            .loaded
            .as_ref()
            .map(|loaded| {
                html! {
                    <CloudTrailLog loaded={loaded.clone()} step={state.step} filter={state.filter.clone()}
                                   on_name={send(&dispatch, Action::FilterEventName)}
                                   on_outcome={send(&dispatch, |o: OutcomeFilter| Action::FilterOutcome(o))}
                                   on_go={on_go.clone()} />
                }
            })
            .unwrap_or_default();
        let policy_editor = match (&state.policy, &state.loaded) {
            (Some(draft), Some(loaded)) => {
                let base = loaded.base();
                html! {
                    <PolicyEditor draft={draft.clone()} region={base.scenario.region.clone()}
                                  account={base.scenario.account.clone()} running={state.is_running()}
                                  on_input={send(&dispatch, Action::PolicyInput)}
                                  on_close={send(&dispatch, |()| Action::ClosePolicyEditor)} />
                }
            }
            _ => html! { <p class="muted">{ "Pick \"Edit the key policy\" in Break it to edit the key's policy." }</p> },
        };
        html! {
            <Drawer {panel} policy={state.policy.is_some()}
                    on_panel={send(&dispatch, Action::OpenDrawer)}
                    {log} editor={editor.clone()} {policy_editor} />
        }
    });
    let toggle_drawer = {
        let open = drawer_panel.is_some();
        send(&dispatch, move |_: yew::MouseEvent| {
            Action::OpenDrawer((!open).then_some(Panel::Log))
        })
    };

    let checking = state.checking;
    html! {
        <>
            if checking {
                <a class="skip-link" href="#check-policy">{ "Skip to the key policy" }</a>
            } else {
                <a class="skip-link" href="#diagram">{ "Skip to the diagram" }</a>
            }
            <header class="topbar">
                <h1 class="brand">
                    <svg class="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                        <polygon points="21,12 16.5,19.8 7.5,19.8 3,12 7.5,4.2 16.5,4.2" />
                    </svg>
                    <span class="brand-name">{ "KMS Playground" }</span>
                </h1>
                <ScenarioPicker
                    current={state.loaded.as_ref().and_then(|l| l.builtin_name())}
                    {current_title} on_pick={send(&dispatch, Action::OpenBuiltin)} />
                <div class="topbar-actions">
                    <button type="button" class="topbar-button" data-testid="open-check"
                            aria-pressed={state.checking.to_string()}
                            onclick={send(&dispatch, move |_: yew::MouseEvent| if checking { Action::CloseCheck } else { Action::OpenCheck })}>
                        <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                            <path d="M5 12 L10 17 L19 7" />
                        </svg>
                        <span class="label">{ "Check my key policy" }</span>
                    </button>
                    <OpenFile on_open={on_open.clone()} />
                    <ShareBar link={copy_link(&state)} embed={embed_target(&state)} />
                    <button type="button" class="topbar-button" aria-expanded={drawer_panel.is_some().to_string()}
                            aria-controls="drawer" data-testid="open-drawer" onclick={toggle_drawer}>
                        <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                            <path d="M4 6 H20 M4 12 H20 M4 18 H14" />
                        </svg>
                        <span class="label">{ "Log & editor" }</span>
                    </button>
                </div>
            </header>
            <div class="toasts">
                { notice.unwrap_or_default() }
                if state.is_running() && state.loaded.is_some() {
                    <p class="running" role="status">{ "Running the scenario…" }</p>
                }
            </div>
            <main class={classes!("stage", drawer_panel.is_some().then_some("with-drawer"), checking.then_some("checking"))}>
                { stage }
            </main>
            { drawer.unwrap_or_default() }
        </>
    }
}

/// What "where it shows best" and "before the step shown" mean for each option, in the
/// unmodified run's step numbers.
fn place_words(
    state: &State,
    loaded: &Rc<Loaded>,
    options: &[ExperimentOption],
) -> Vec<PlaceWords> {
    let base = loaded.base();
    let before = |action: usize| {
        base.steps()
            .iter()
            .find(|s| s.action == action)
            .map(|s| format!("before step {} ({})", s.index + 1, s.title))
            .unwrap_or_else(|| "at the end".to_owned())
    };
    let current = state.current_scenario_step().map(before);
    options
        .iter()
        .map(|o| PlaceWords {
            default: o.experiment.insert_at().map(before),
            current: o
                .experiment
                .inserts_a_step()
                .then(|| current.clone())
                .flatten(),
        })
        .collect()
}

/// The step strip for the step shown (the main view and the embed view draw the same
/// one): a failed step says its failure's one-line summary.
fn step_strip(
    state: &State,
    loaded: &Loaded,
    controls: bool,
    on_go: Callback<usize>,
    on_play: Callback<()>,
) -> Html {
    let step = state.current();
    let sentence = match step {
        Some(s) if s.failed() => explain(loaded.steps(), s.index)
            .map(|e| e.summary())
            .unwrap_or_else(|| s.sentence.clone()),
        Some(s) => s.sentence.clone(),
        None => "This run has no steps.".to_owned(),
    };
    let errors: Vec<usize> = loaded
        .steps()
        .iter()
        .filter(|s| s.failed())
        .map(|s| s.index)
        .collect();
    html! {
        <StepStrip
            step={state.step}
            len={state.len()}
            playing={state.playing}
            actor={step.map(|s| s.actor.clone()).unwrap_or_default()}
            title={step.map(|s| s.title.clone()).unwrap_or_default()}
            {sentence}
            failed={step.is_some_and(|s| s.failed())}
            {errors}
            difference={loaded.experiment.as_ref().and_then(|e| e.first_difference)}
            {controls} {on_go} {on_play} />
    }
}

/// The page's address for the view shown (`None` when too large for a link).
fn copy_link(state: &UseReducerHandle<State>) -> Callback<(), Option<String>> {
    let state = state.clone();
    Callback::from(move |()| {
        let fragment = link::page_fragment(&state)?;
        let href = web_sys::window()?.location().href().ok()?;
        Some(format!("{}#{fragment}", link::page_base(&href)))
    })
}

/// What the embed dialog embeds: the view shown, if it fits in a link.
fn embed_target(state: &UseReducerHandle<State>) -> Callback<(), Option<EmbedTarget>> {
    let state = state.clone();
    Callback::from(move |()| {
        let view = link::view_state(&state)?;
        let href = web_sys::window()?.location().href().ok()?;
        let base = link::page_base(&href).to_owned();
        link::embed_url(&base, &view, EmbedOptions::default())?;
        let loaded = state.loaded.as_ref()?;
        Some(EmbedTarget {
            view,
            base,
            title: loaded.base().scenario.title.clone(),
            steps: loaded.steps().iter().map(|s| s.title.clone()).collect(),
        })
    })
}

/// Embed mode: the diagram, the step strip (unless `controls=0`: then the sentence
/// alone), and a link to open the same view in the full playground.
fn embed_view(
    state: &UseReducerHandle<State>,
    snapshot: Option<Rc<Snapshot>>,
    options: EmbedOptions,
    root: NodeRef,
    notice: Option<Html>,
    (on_go, on_play, on_select): (Callback<usize>, Callback<()>, Callback<String>),
) -> Html {
    let body = match (&state.loaded, snapshot) {
        (Some(loaded), Some(snapshot)) => {
            html! {
                <>
                    <div class="embed-head">
                        <h1 class="embed-title" data-testid="scenario-title">{ loaded.scenario.title.clone() }</h1>
                        <a class="open-link" href={open_href(state)} target="_blank" rel="noopener"
                           data-testid="open-in-playground">
                            { "Open in playground" }<span class="sr-only">{ " (opens in a new tab)" }</span>
                        </a>
                    </div>
                    <Diagram loaded={loaded.clone()} snapshot={snapshot} fit={false} contained=true
                             selected={state.selected.clone()} {on_select} />
                    { step_strip(state, loaded, options.controls, on_go, on_play) }
                </>
            }
        }
        _ => {
            html! { <p class="loading" role="status">{ "Running the scenario in your browser…" }</p> }
        }
    };
    html! {
        <main class="embed-root" ref={root} data-testid="embed">
            { notice.unwrap_or_default() }
            { body }
        </main>
    }
}

/// The full playground at the embedded view, relative to this page.
fn open_href(state: &State) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let fragment = link::view_state(state).and_then(|v| link::fragment(&v));
    link::playground_href(&path, fragment.as_deref())
}
