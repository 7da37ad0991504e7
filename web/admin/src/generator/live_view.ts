// The live view of the generator page: the model just rendered, drawn again by the same renderer in the render
// worker from the camera the admin sets. Pointer drag orbits, the wheel zooms, arrow keys and +/- do both from the
// keyboard. Input only adds up a step here; one view request is in flight at a time and the steps that arrive
// meanwhile go in the next one (coalesced), so the main thread never waits on a render.
import type {AbsoluteCamera, JobFile, OrbitStep, RenderSettings} from './messages';
import type {RenderHost, ViewFrame} from './render_host';

const DEGREES_PER_PIXEL = 0.5;
const KEY_DEGREES = 10;

interface PendingStep {
  yaw: number;
  pitch: number;
  zoom: number;
}

const noStep = (): PendingStep => ({yaw: 0, pitch: 0, zoom: 1});
const isEmpty = (step: PendingStep) => step.yaw === 0 && step.pitch === 0 && step.zoom === 1;

export class LiveView {
  #canvas: HTMLCanvasElement;
  #context: CanvasRenderingContext2D | null;
  #note: HTMLElement;
  #host: RenderHost | null = null;
  #assetId: string | null = null;
  #camera: AbsoluteCamera | null = null;
  #source: {assetKey: string; files: JobFile[]; settings: RenderSettings} | null = null;
  #pending = noStep();
  #inFlight = false;
  #drag: {x: number; y: number} | null = null;
  #frames = 0;
  /** Called when the view's camera changes (the page enables "Use this camera"). */
  onChange: () => void = () => {};

  constructor(canvas: HTMLCanvasElement, note: HTMLElement) {
    this.#canvas = canvas;
    this.#context = canvas.getContext('2d');
    this.#note = note;
    canvas.addEventListener('pointerdown', this.#onPointerDown);
    canvas.addEventListener('pointermove', this.#onPointerMove);
    canvas.addEventListener('pointerup', this.#onPointerUp);
    canvas.addEventListener('pointercancel', this.#onPointerUp);
    canvas.addEventListener('wheel', this.#onWheel, {passive: false});
    canvas.addEventListener('keydown', this.#onKey);
  }

  set host(host: RenderHost | null) {
    this.#host = host;
  }

  /** The asset the view shows and the camera it is seen from now (what "Use this camera" stores). */
  get assetId(): string | null {
    return this.#assetId;
  }
  get camera(): AbsoluteCamera | null {
    return this.#camera;
  }

  /** A new thumbnail was made (from `files` with `settings`): the view starts from its frame and the camera the
   *  renderer used. */
  show(assetId: string, camera: AbsoluteCamera, thumbnail: Blob, files: JobFile[], settings: RenderSettings): void {
    this.#assetId = assetId;
    this.#source = {assetKey: assetId, files, settings};
    this.#camera = camera;
    this.#pending = noStep();
    this.#canvas.dataset.frames = String(++this.#frames);
    this.#canvas.dataset.asset = assetId;
    void createImageBitmap(thumbnail).then((bitmap) => {
      this.#draw(bitmap);
      bitmap.close();
    });
    this.#note.textContent = 'Drag to orbit, wheel to zoom (arrow keys and +/- too): drawn by the same renderer.';
    this.onChange();
  }

  /** Turns the view by `step` (coalesced with any step not drawn yet). */
  turn(step: OrbitStep): void {
    if (!this.#camera || !this.#host) return;
    this.#pending.yaw += step.yaw ?? 0;
    this.#pending.pitch += step.pitch ?? 0;
    this.#pending.zoom *= step.zoom ?? 1;
    if (!this.#inFlight) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#inFlight = true;
    try {
      while (!isEmpty(this.#pending) && this.#host && this.#camera && this.#source) {
        const step = this.#pending;
        this.#pending = noStep();
        const asset = this.#assetId;
        const width = this.#canvas.width;
        const height = Math.max(16, Math.round((width * this.#canvas.height) / this.#canvas.width));
        const frame: ViewFrame | null = await this.#host.view(step, width, height, this.#camera, this.#source);
        if (!frame) {
          this.#note.textContent = 'The renderer could not draw this model again.';
          return;
        }
        if (asset !== this.#assetId || frame.assetKey !== asset) {
          // A new thumbnail replaced the view's asset meanwhile: the view starts again from that one.
          frame.frame.close();
          return;
        }
        this.#camera = frame.camera;
        this.#draw(frame.frame);
        frame.frame.close();
        this.#canvas.dataset.frames = String(++this.#frames);
        this.#note.textContent = frame.problem ? `As a thumbnail this view would be refused: ${frame.problem}`
                                               : 'Drag to orbit, wheel to zoom. "Use this camera" stores this view.';
        this.onChange();
      }
    } finally {
      this.#inFlight = false;
    }
  }

  #draw(frame: ImageBitmap): void {
    if (!this.#context) return;
    const height = Math.round((this.#canvas.width * frame.height) / frame.width) || this.#canvas.height;
    if (this.#canvas.height !== height) this.#canvas.height = height;
    this.#context.drawImage(frame, 0, 0, this.#canvas.width, this.#canvas.height);
  }

  #onPointerDown = (event: PointerEvent): void => {
    if (!this.#camera) return;
    this.#drag = {x: event.clientX, y: event.clientY};
    this.#canvas.setPointerCapture(event.pointerId);
  };

  #onPointerMove = (event: PointerEvent): void => {
    if (!this.#drag) return;
    const dx = event.clientX - this.#drag.x;
    const dy = event.clientY - this.#drag.y;
    this.#drag = {x: event.clientX, y: event.clientY};
    // Dragging right turns the model right (the camera goes left); dragging down shows more of its top.
    this.turn({yaw: -dx * DEGREES_PER_PIXEL, pitch: dy * DEGREES_PER_PIXEL});
  };

  #onPointerUp = (): void => {
    this.#drag = null;
  };

  #onWheel = (event: WheelEvent): void => {
    if (!this.#camera) return;
    event.preventDefault();
    this.turn({zoom: Math.exp(-event.deltaY * 0.001)});
  };

  #onKey = (event: KeyboardEvent): void => {
    const steps: Record<string, OrbitStep> = {
      ArrowLeft: {yaw: KEY_DEGREES}, ArrowRight: {yaw: -KEY_DEGREES}, ArrowUp: {pitch: KEY_DEGREES},
      ArrowDown: {pitch: -KEY_DEGREES}, '+': {zoom: 1.2}, '=': {zoom: 1.2}, '-': {zoom: 1 / 1.2},
    };
    const step = steps[event.key];
    if (!step || !this.#camera) return;
    event.preventDefault();
    this.turn(step);
  };
}
