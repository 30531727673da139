//! The door's viewfinder: it scans continuously and hands each new code to the door. The
//! browser's `BarcodeDetector` where there is one (Chrome on Android); everywhere else
//! (iPhone Safari, desktop Firefox) a QR decoder compiled into this page's WASM chunk
//! (`rqrr`), fed frames drawn on a canvas. `?decoder=wasm` forces the second.

use leptos::prelude::*;

/// How long the same code is ignored after it was read, so a ticket held in front of the
/// camera is sent once.
#[cfg(feature = "hydrate")]
const SAME_CODE_MS: f64 = 3000.0;

#[component]
pub fn Camera(on_code: Callback<String>) -> impl IntoView {
    let video = NodeRef::<leptos::html::Video>::new();
    let running = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        browser::start(video, running, status, on_code);
        #[cfg(not(feature = "hydrate"))]
        let _ = (video, on_code);
    };
    view! {
        <div class="door-camera">
            <video node_ref=video class="door-viewfinder" playsinline=true muted=true autoplay=true
                aria-label="Camera viewfinder" hidden=move || !running.get()></video>
            <p class="muted small" role="status" data-testid="camera-status">{move || status.get()}</p>
            <button type="button" class="button" hidden=move || running.get() on:click=start>"Start camera"</button>
            <button type="button" class="button button-secondary" hidden=move || !running.get()
                on:click=move |_| running.set(false)>"Stop camera"</button>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::SAME_CODE_MS;
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::js_sys::{Array, Function, Object, Promise, Reflect};
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream};

    /// Frames looked at per second, at most: enough to feel instant, light on a phone.
    const FRAME_MS: i32 = 150;
    /// Widest frame the WASM decoder reads; a QR code held at the door fills much of it.
    const MAX_WIDTH: u32 = 640;

    enum Decoder {
        Native(JsValue),
        Wasm(HtmlCanvasElement),
    }

    pub fn start(
        video: NodeRef<leptos::html::Video>,
        running: RwSignal<bool>,
        status: RwSignal<String>,
        on_code: Callback<String>,
    ) {
        spawn_local(async move {
            let Some(video) = video.get_untracked() else { return };
            let stream = match open_camera().await {
                Ok(stream) => stream,
                Err(message) => {
                    status.set(message);
                    return;
                }
            };
            video.set_src_object(Some(&stream));
            if let Ok(playing) = video.play() {
                let _ = JsFuture::from(playing).await;
            }
            running.set(true);
            let decoder = match native_detector() {
                Some(detector) if !wasm_forced() => Decoder::Native(detector),
                _ => match wasm_canvas() {
                    Some(canvas) => Decoder::Wasm(canvas),
                    None => {
                        status.set("This browser cannot read QR codes; type the code instead.".into());
                        running.set(false);
                        stop(&stream);
                        return;
                    }
                },
            };
            status.set(match decoder {
                Decoder::Native(_) => "Scanning…".into(),
                Decoder::Wasm(_) => "Scanning… (built-in decoder)".into(),
            });
            let mut last: Option<(String, f64)> = None;
            while running.get_untracked() {
                sleep(FRAME_MS).await;
                let code = match &decoder {
                    Decoder::Native(detector) => detect_native(detector, &video).await,
                    Decoder::Wasm(canvas) => detect_wasm(canvas, &video),
                };
                let Some(code) = code else { continue };
                let now = web_sys::js_sys::Date::now();
                let repeated = last.as_ref().is_some_and(|(seen, at)| *seen == code && now - at < SAME_CODE_MS);
                last = Some((code.clone(), now));
                if !repeated {
                    on_code.run(code);
                }
            }
            stop(&stream);
            video.set_src_object(None);
            status.set(String::new());
        });
    }

    async fn open_camera() -> Result<MediaStream, String> {
        let unavailable = || "No camera here (or it needs a secure connection); type the code instead.".to_owned();
        let devices = web_sys::window().and_then(|w| w.navigator().media_devices().ok()).ok_or_else(unavailable)?;
        let video = Object::new();
        let _ = Reflect::set(&video, &"facingMode".into(), &"environment".into());
        let constraints = web_sys::MediaStreamConstraints::new();
        constraints.set_video(&video);
        constraints.set_audio(&JsValue::FALSE);
        let asked = devices.get_user_media_with_constraints(&constraints).map_err(|_| unavailable())?;
        match JsFuture::from(asked).await {
            Ok(stream) => stream.dyn_into::<MediaStream>().map_err(|_| unavailable()),
            Err(_) => Err("The camera was not allowed; allow it in the browser, or type the code.".into()),
        }
    }

    fn stop(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }

    fn wasm_forced() -> bool {
        web_sys::window().and_then(|w| w.location().search().ok()).is_some_and(|q| q.contains("decoder=wasm"))
    }

    /// The browser's own QR reader, if it has one.
    fn native_detector() -> Option<JsValue> {
        let constructor = Reflect::get(&web_sys::js_sys::global(), &"BarcodeDetector".into()).ok()?;
        let constructor = constructor.dyn_into::<Function>().ok()?;
        let options = Object::new();
        Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into())).ok()?;
        Reflect::construct(&constructor, &Array::of1(&options)).ok()
    }

    async fn detect_native(detector: &JsValue, video: &HtmlVideoElement) -> Option<String> {
        let detect = Reflect::get(detector, &"detect".into()).ok()?.dyn_into::<Function>().ok()?;
        let found = detect.call1(detector, video).ok()?.dyn_into::<Promise>().ok()?;
        let found = JsFuture::from(found).await.ok()?;
        let first = Array::from(&found).get(0);
        if first.is_undefined() {
            return None;
        }
        Reflect::get(&first, &"rawValue".into()).ok()?.as_string()
    }

    fn wasm_canvas() -> Option<HtmlCanvasElement> {
        web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()
    }

    /// Draws the current frame, greys it and looks for a QR code in it.
    fn detect_wasm(canvas: &HtmlCanvasElement, video: &HtmlVideoElement) -> Option<String> {
        let (width, height) = (video.video_width(), video.video_height());
        if width == 0 || height == 0 {
            return None;
        }
        let scale = (MAX_WIDTH as f64 / width as f64).min(1.0);
        let (w, h) = (((width as f64) * scale) as u32, ((height as f64) * scale) as u32);
        canvas.set_width(w);
        canvas.set_height(h);
        let context = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
        context.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w as f64, h as f64).ok()?;
        let pixels = context.get_image_data(0.0, 0.0, w as f64, h as f64).ok()?.data();
        let luma: Vec<u8> = pixels
            .chunks_exact(4)
            .map(|p| ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8)
            .collect();
        let (w, h) = (w as usize, h as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
        image.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, content)| content))
    }

    /// Waits `ms` milliseconds without blocking the page.
    async fn sleep(ms: i32) {
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}
