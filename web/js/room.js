// @ts-check
/**
 * Préau — the live room page (web/js/room.js).
 *
 * One plain ES module, no framework, no build step. It speaks the protocol of docs/signalling.md
 * over one WebSocket and carries all media over one RTCPeerConnection: the page always offers,
 * the SFU (ICE-lite) answers. The server-rendered page gives the structure (see the ids below);
 * an element that is missing is skipped with one console warning, never a crash.
 *
 * Styling hooks (classes set here): .tile, .tile-media, .tile-avatar, .tile-name, .tile-pin,
 * .tile.screen, .tile.pinned, .tile.speaking, .tile.self; #participants li.speaking, .status,
 * .host-actions; #chat-log .chat-time/.chat-name/.chat-text/.mine; #quality[data-quality].
 */

// ---- Protocol (docs/signalling.md, version 1) --------------------------------------------------
/** @typedef {'audio' | 'camera' | 'screen'} Source */
/** @typedef {{id: string, name: string, host: boolean, guest?: boolean, audio: boolean, video: boolean, screen: boolean, hand: boolean}} Participant */
/** @typedef {{id: string, name: string}} Knocking */
/** @typedef {{from: string, name: string, text: string, at: number}} ChatEntry */
/** @typedef {{mid: string, participant: string, source: Source}} TrackMapping */

/**
 * Server → client messages.
 * @typedef {{type: 'joined', you: string, resume: string, host: boolean, participants: Participant[], hands: string[],
 *   ice_servers: RTCIceServer[], chat: ChatEntry[], locked?: boolean, recording?: string | null, recordable?: boolean}} JoinedMsg
 * @typedef {{type: 'answer', sdp: string}} AnswerMsg
 * @typedef {{type: 'tracks', tracks: TrackMapping[]}} TracksMsg
 * @typedef {{type: 'renegotiate', audio: number, video: number}} RenegotiateMsg
 * @typedef {{type: 'participant_joined' | 'participant_state', participant: Participant}} ParticipantMsg
 * @typedef {{type: 'participant_left', id: string}} LeftMsg
 * @typedef {{type: 'hands', queue: string[]}} HandsMsg
 * @typedef {{type: 'speaker', id: string | null}} SpeakerMsg
 * @typedef {{type: 'video', mid: string, on: boolean}} VideoMsg
 * @typedef {{type: 'layers', mid: string, max: 'q' | 'h' | 'f'}} LayersMsg
 * @typedef {{type: 'chat'} & ChatEntry} ChatMsg
 * @typedef {{type: 'muted', by: string}} MutedMsg
 * @typedef {{type: 'removed' | 'ended' | 'pong' | 'waiting'}} BareMsg
 * @typedef {{type: 'refused', reason: string}} RefusedMsg
 * @typedef {{type: 'lobby', waiting: Knocking[]}} LobbyMsg
 * @typedef {{type: 'locked', locked: boolean}} LockedMsg
 * @typedef {{type: 'recording', on: boolean, by: string}} RecordingMsg
 * @typedef {{type: 'error', code: string, message: string}} ErrorMsg
 * @typedef {JoinedMsg | AnswerMsg | TracksMsg | RenegotiateMsg | ParticipantMsg | LeftMsg | HandsMsg
 *   | SpeakerMsg | VideoMsg | LayersMsg | ChatMsg | MutedMsg | BareMsg | RefusedMsg | LobbyMsg | LockedMsg | RecordingMsg
 *   | ErrorMsg} ServerMsg
 */

/**
 * Client → server messages (`v: 1` is added by `send`).
 * @typedef {{type: 'join', resume?: string}
 *   | {type: 'offer', sdp: string, sources: Record<string, Source>}
 *   | {type: 'view', heights: Record<string, number>, pins: string[], audio_only: boolean}
 *   | {type: 'state', audio: boolean, video: boolean, screen: boolean}
 *   | {type: 'chat', text: string}
 *   | {type: 'hand', raised: boolean}
 *   | {type: 'mute' | 'lower_hand' | 'remove', participant: string}
 *   | {type: 'admit' | 'refuse', guest: string}
 *   | {type: 'lock', locked: boolean}
 *   | {type: 'record', on: boolean}
 *   | {type: 'mute_all'}
 *   | {type: 'end' | 'ping'}} ClientMsg
 */

const PROTOCOL_VERSION = 1;
const PING_MS = 10_000, VIEW_MS = 500, STATS_MS = 2_000, GATHER_MS = 1_000, ANSWER_TIMEOUT_MS = 10_000;
const BACKOFF_MAX_MS = 10_000, MAX_RECONNECTS = 12, CHAT_MAX = 1000;

/** @type {RTCRtpEncodingParameters[]} */
const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];
/** @type {MediaTrackConstraints} */
const VIDEO = { width: { ideal: 1280, max: 1280 }, height: { ideal: 720, max: 720 }, frameRate: { ideal: 24, max: 30 } };
/** @type {MediaTrackConstraints} */
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

// ---- Strings -----------------------------------------------------------------------------------
/** Every string in French and in English: [fr, en]. */
const STRINGS = {
  joining: ['Connexion…', 'Connecting…'],
  joinMic: ['Micro ouvert en entrant', 'Microphone on when joining'],
  joinCam: ['Caméra allumée en entrant', 'Camera on when joining'],
  noMedia: ['Ce navigateur ne donne pas accès à la caméra ni au micro : vous pouvez rejoindre en écoute seule.',
    'This browser gives no access to a camera or microphone: you can join to listen only.'],
  denied: ['Accès à la caméra ou au micro refusé ou impossible : vous pouvez rejoindre en écoute seule.',
    'Camera or microphone access refused or impossible: you can join to listen only.'],
  noDevice: ['Aucun appareil', 'No device'], camN: ['Caméra {n}', 'Camera {n}'], micN: ['Micro {n}', 'Microphone {n}'],
  micOn: ['Micro : ouvert', 'Microphone: on'], micOff: ['Micro : coupé', 'Microphone: off'],
  camOn: ['Caméra : allumée', 'Camera: on'], camOff: ['Caméra : éteinte', 'Camera: off'],
  screenOn: ['Partage d’écran : en cours', 'Screen sharing: on'],
  screenOff: ['Partage d’écran : arrêté', 'Screen sharing: off'],
  handOn: ['Main : levée', 'Hand: raised'], handOff: ['Main : baissée', 'Hand: lowered'],
  audioOnlyOn: ['Audio seul : activé', 'Audio only: on'], audioOnlyOff: ['Audio seul : désactivé', 'Audio only: off'],
  end: ['Terminer pour tous', 'End for everyone'],
  confirmEnd: ['Terminer la séance pour tous les participants ?', 'End the session for all participants?'],
  confirmRemove: ['Retirer {name} de la séance ?', 'Remove {name} from the session?'],
  pin: ['Épingler', 'Pin'], of: [' {name}', ' {name}'],
  mute: ['Couper le micro de', 'Mute'], lowerHand: ['Baisser la main de', 'Lower the hand of'], remove: ['Retirer', 'Remove'],
  handsLower: ['Baisser la main', 'Lower hand'], noHands: ['Aucune main levée.', 'No raised hands.'],
  you: ['vous', 'you'], host: ['animateur', 'host'],
  statusMicOff: ['micro coupé', 'microphone off'], statusCam: ['caméra allumée', 'camera on'],
  statusScreen: ['partage son écran', 'sharing their screen'], statusHand: ['main levée', 'hand raised'],
  screenOf: ['Écran de {name}', 'Screen of {name}'],
  joinedRoom: ['Vous avez rejoint la séance. Raccourcis : M micro, V caméra, H main levée.',
    'You joined the session. Shortcuts: M microphone, V camera, H raise hand.'],
  pJoined: ['{name} a rejoint la séance.', '{name} joined the session.'],
  pLeft: ['{name} a quitté la séance.', '{name} left the session.'],
  handRaised: ['{name} lève la main.', '{name} raised their hand.'],
  handLoweredByHost: ['Votre main a été baissée.', 'Your hand was lowered.'],
  chatFrom: ['{name} : {text}', '{name}: {text}'],
  mutedBy: ['Votre micro a été coupé par {name}.', 'Your microphone was turned off by {name}.'],
  mutedByHost: ['Votre micro a été coupé par l’animateur.', 'Your microphone was turned off by the host.'],
  reconnecting: ['Connexion perdue, reconnexion en cours…', 'Connection lost, reconnecting…'],
  reconnected: ['Connexion rétablie.', 'Connection restored.'],
  lost: ['La connexion à la salle est perdue.', 'The connection to the room is lost.'],
  joinFailed: ['Impossible de rejoindre la salle : elle est peut-être pleine, ou l’accès vous est refusé. Réessayez.',
    'Could not join the room: it may be full, or you may not enter it. Try again.'],
  left: ['Vous avez quitté la séance.', 'You left the session.'],
  removed: ['Vous avez été retiré(e) de la séance par l’animateur.', 'The host removed you from the session.'],
  ended: ['L’animateur a mis fin à la séance.', 'The host ended the session.'],
  rejoin: ['Rejoindre à nouveau', 'Join again'],
  camFailed: ['La caméra n’a pas pu démarrer.', 'The camera could not start.'],
  micFailed: ['Le micro n’a pas pu démarrer.', 'The microphone could not start.'],
  screenFailed: ['Le partage d’écran n’a pas pu démarrer.', 'Screen sharing could not start.'],
  screenStopped: ['Partage d’écran arrêté.', 'Screen sharing stopped.'],
  quality: ['Connexion : {q}', 'Connection: {q}'],
  qualityDetail: ['Connexion : {q} ({rtt} ms, {loss} % de pertes)', 'Connection: {q} ({rtt} ms, {loss}% loss)'],
  qGood: ['bonne', 'good'], qMedium: ['moyenne', 'fair'], qPoor: ['mauvaise', 'poor'],
  qConnecting: ['en cours…', 'connecting…'], qLost: ['interrompue', 'interrupted'],
  guest: ['invité', 'guest'], speaking: ['parle', 'speaking'],
  waiting: ['Vous êtes en salle d’attente : la personne qui organise la réunion va vous faire entrer.',
    'You are in the lobby: the organizer will let you in.'],
  refusedByHost: ['La personne qui organise la réunion n’a pas accepté votre entrée.', 'The organizer did not let you in.'],
  lockedOut: ['La réunion est verrouillée : personne d’autre ne peut entrer pour le moment.',
    'The meeting is locked: no one else may come in for now.'],
  roomFull: ['La salle est complète. Réessayez quand quelqu’un en sera sorti.', 'The room is full. Try again when someone has left.'],
  admit: ['Faire entrer', 'Let in'], refuse: ['Refuser', 'Refuse'], noKnock: ['Personne n’attend.', 'No one is waiting.'],
  knocking: ['{name} attend en salle d’attente.', '{name} is waiting in the lobby.'],
  lock: ['Verrouiller', 'Lock'], lockOn: ['Réunion verrouillée', 'Meeting locked'],
  lockedNow: ['La séance est verrouillée : personne d’autre ne peut entrer.', 'The session is locked: no one else may come in.'],
  unlockedNow: ['La séance est déverrouillée.', 'The session is unlocked.'],
  record: ['Enregistrer', 'Record'], recordOn: ['Arrêter l’enregistrement', 'Stop recording'],
  recordingBy: ['Enregistrement en cours, lancé par {name} : le son de la conférence est enregistré.',
    'Recording, started by {name}: the conference’s sound is being recorded.'],
  recordingStopped: ['L’enregistrement est arrêté.', 'Recording stopped.'],
};
/** @typedef {keyof typeof STRINGS} StringKey */

const LANG = (document.documentElement.lang || 'fr').toLowerCase().startsWith('en') ? 1 : 0;

/** A translated string, `{name}` placeholders filled in. @param {StringKey} key @param {Record<string, string | number>} [vars] */
function t(key, vars = {}) {
  return STRINGS[key][LANG].replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

// ---- DOM helpers -------------------------------------------------------------------------------
/** @type {Set<string>} */
const warned = new Set();

/**
 * The element with that id if it is a `type`; else null and one console warning (none if `optional` and absent).
 * @template {Element} T @param {string} id @param {{new (...args: any[]): T}} type @param {boolean} [optional] @returns {T | null}
 */
function el(id, type, optional = false) {
  const e = document.getElementById(id);
  if (e instanceof type) return e;
  if (!(optional && !e) && !warned.has(id)) {
    warned.add(id);
    console.warn(`room.js: #${id} is missing or not a ${type.name}; that part of the page is skipped.`);
  }
  return null;
}

/** An element (never a `style` attribute: CSP). @param {string} tag @param {Record<string, string>} [attrs] @param {...(Node | string)} children */
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k !== 'style') e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** A button: visible text, then a visually hidden part. @param {string} text @param {string} hidden @param {string} cls */
function button(text, hidden, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.append(text, h('span', { class: 'visually-hidden' }, hidden));
  return b;
}

/** Sets the hidden part of a `button()`. @param {HTMLElement | null} b @param {string} text */
function setHidden(b, text) {
  const span = b?.querySelector('.visually-hidden');
  if (span) span.textContent = text;
}

/** Sets a button's label: its `.label` child if any (icons stay), else its text. @param {HTMLElement | null} b @param {string} text */
function setLabel(b, text) {
  const label = b?.querySelector('.label');
  if (label) label.textContent = text;
  else if (b) b.textContent = text;
}

/** A toggle: aria-pressed and the label follow the state. @param {string} id @param {boolean} on @param {string} label */
function setToggle(id, on, label) {
  const b = el(id, HTMLButtonElement);
  b?.setAttribute('aria-pressed', String(on));
  setLabel(b, label);
}

/** "Prénom NOM" → "PN". @param {string} name */
function initials(name) {
  const words = name.split(/\s+/).filter(Boolean);
  const first = (/** @type {string} */ w) => Array.from(w)[0] ?? '';
  if (words.length === 0) return '?';
  return (first(words[0]) + (words.length > 1 ? first(words[words.length - 1]) : '')).toUpperCase();
}

/** Runs `update` without losing the focus inside `box`. @param {HTMLElement} box @param {() => void} update */
function keepFocus(box, update) {
  const active = document.activeElement;
  const had = active instanceof HTMLElement && box.contains(active);
  update();
  if (!had || box.contains(document.activeElement)) return;
  if (box.contains(active)) return active.focus(); // moved, not removed
  const next = box.querySelector('button:not([hidden]):not([disabled])');
  if (next instanceof HTMLElement) return next.focus();
  box.tabIndex = -1;
  box.focus();
}

// ---- State -------------------------------------------------------------------------------------
/** @typedef {'prejoin' | 'joining' | 'in' | 'reconnecting' | 'done'} Phase */
/** @typedef {'camera' | 'screen'} VideoSource */
/**
 * A video tile in #grid (a participant's camera or screen) and an entry in #participants.
 * @typedef {{key: string, pid: string, source: VideoSource, root: HTMLElement, media: HTMLElement,
 *   video: HTMLVideoElement, avatar: HTMLElement, name: HTMLElement, pin: HTMLButtonElement | null}} Tile
 * @typedef {{li: HTMLElement, name: HTMLElement, status: HTMLElement, mute: HTMLButtonElement | null,
 *   lower: HTMLButtonElement | null, remove: HTMLButtonElement | null}} Entry
 */

const main = document.getElementById('main');
const CFG = {
  ws: main?.dataset.ws ?? '', me: main?.dataset.me ?? '',
  host: main?.dataset.host === 'true', pupil: main?.dataset.pupil === 'true',
  /** an audio conference: no camera, no screen */ audio: main?.dataset.audio === 'true',
};

const S = {
  /** @type {Phase} */ phase: 'prejoin',
  /** @type {WebSocket | null} */ ws: null,
  /** @type {RTCPeerConnection | null} */ pc: null,
  /** my sending transceivers @type {Record<'mic' | 'cam' | 'screen', RTCRtpTransceiver | null>} */
  tx: { mic: null, cam: null, screen: null },
  /** @type {string | null} */ you: null,
  /** @type {string | null} */ resume: null,
  host: CFG.host, everJoined: false, backoff: 1000, attempts: 0,
  /** @type {MediaStreamTrack | null} */ mic: null,
  /** @type {MediaStreamTrack | null} */ cam: null,
  /** @type {MediaStreamTrack | null} */ screen: null,
  micOn: !CFG.pupil, camOn: false, hand: false, audioOnly: false, busy: false,
  /** @type {Map<string, Participant>} */ participants: new Map(),
  /** raised hands, in order @type {string[]} */ hands: [],
  /** @type {string[]} */ pins: [],
  /** @type {string | null} */ speaker: null,
  /** receive mid → whose source @type {Map<string, {participant: string, source: Source}>} */ mids: new Map(),
  /** receive mids the server paused (`video` on:false) @type {Set<string>} */ videoOff: new Set(),
  need: { audio: 0, video: 0 },
  /** @type {Map<string, Tile>} */ tiles: new Map(),
  /** @type {Map<string, Entry>} */ entries: new Map(),
  /** @type {Map<string, HTMLAudioElement>} */ audios: new Map(),
  offering: false, offerAgain: false,
  /** @type {{resolve: (sdp: string) => void, reject: (e: Error) => void} | null} */ answer: null,
  lastView: '', viewAt: 0, viewTimer: 0, pingTimer: 0, statsTimer: 0, retryTimer: 0,
  prevStats: { lost: 0, recv: 0 },
  /** guests waiting, for hosts @type {Knocking[]} */ lobby: [], locked: false,
  /** who started the recording running @type {string | null} */ recording: null, recordable: false,
  /** for the lobby's chime, made on the join click (a user gesture) @type {AudioContext | null} */ chime: null,
};

const resizer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => scheduleView()) : null;

// ---- Announcements and page messages -----------------------------------------------------------
/** Says something through the aria-live region (keeps the last few lines). @param {string} text */
function announce(text) {
  const region = el('announcer', HTMLElement);
  if (!region) return;
  region.append(h('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild?.remove();
}

/** A note on the pre-join screen (device problems, failed join). @param {string} text */
function prejoinNote(text) {
  const section = el('prejoin', HTMLElement);
  let note = document.getElementById('prejoin-note');
  if (!note && section) section.append(note = h('p', { id: 'prejoin-note', role: 'status', class: 'notice' }));
  if (note) note.textContent = text;
}

/** Shows or hides a section by id. @param {string} id @param {boolean} shown */
function show(id, shown) {
  const e = el(id, HTMLElement);
  if (e) e.hidden = !shown;
}

/** Ends this page's part in the session, says why, offers a way back in. @param {StringKey} why */
function finish(why) {
  if (S.phase === 'done') return;
  S.phase = 'done';
  teardown();
  show('room', false);
  show('prejoin', false);
  const box = h('div', { id: 'room-end', role: 'alert', tabindex: '-1' }, h('p', {}, t(why)));
  const again = h('button', { type: 'button', class: 'rejoin' }, t('rejoin'));
  again.addEventListener('click', () => location.reload());
  // A removed or refused person may not come back in before the session ends.
  if (why !== 'removed' && why !== 'refusedByHost') box.append(again);
  (main ?? document.body).prepend(box);
  box.focus();
}

/** Stops every track and timer, the peer connection and the socket. */
function teardown() {
  for (const timer of [S.pingTimer, S.statsTimer, S.viewTimer, S.retryTimer]) clearTimeout(timer); // and intervals
  for (const track of [S.mic, S.cam, S.screen]) track?.stop();
  S.mic = S.cam = S.screen = null;
  closePc();
  S.ws?.close(1000, 'leave'); // its close event is then ignored: S.ws no longer points to it
  S.ws = null;
  const preview = el('preview', HTMLVideoElement, true);
  if (preview) preview.srcObject = null;
  resizer?.disconnect();
}

// ---- Devices and pre-join ----------------------------------------------------------------------
/** A fresh camera or microphone track. @param {'video' | 'audio'} kind @param {string} [deviceId] */
async function openDevice(kind, deviceId) {
  const base = kind === 'video' ? VIDEO : AUDIO;
  const stream = await navigator.mediaDevices.getUserMedia({ [kind]: deviceId ? { ...base, deviceId: { exact: deviceId } } : base });
  return stream.getTracks()[0];
}

/** Asks for camera and microphone (devices then get their labels), else for either alone. */
async function askPermission() {
  /** @type {MediaStreamConstraints[]} */
  const tries = CFG.audio ? [{ audio: AUDIO }] : [{ audio: AUDIO, video: VIDEO }, { audio: AUDIO }, { video: VIDEO }];
  for (const constraints of tries) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      S.mic = stream.getAudioTracks()[0] ?? null;
      S.cam = stream.getVideoTracks()[0] ?? null;
      return;
    } catch (e) {
      console.warn('room.js: getUserMedia', constraints, e);
    }
  }
  prejoinNote(t('denied'));
}

/**
 * Fills a device select, the device in use selected.
 * @param {string} id @param {MediaDeviceInfo[]} devices @param {StringKey} numbered @param {MediaStreamTrack | null} inUse
 */
function fillSelect(id, devices, numbered, inUse) {
  const select = el(id, HTMLSelectElement);
  if (!select) return;
  const current = inUse?.getSettings().deviceId ?? select.value;
  select.replaceChildren(...devices.map((d, i) =>
    new Option(d.label || t(numbered, { n: i + 1 }), d.deviceId, false, d.deviceId === current)));
  if (devices.length === 0) select.append(new Option(t('noDevice'), ''));
  select.disabled = devices.length === 0;
}

/** Lists cameras and microphones in the pre-join selects. */
async function listDevices() {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const of = (/** @type {MediaDeviceKind} */ kind) => devices.filter((d) => d.kind === kind && d.deviceId);
    if (!CFG.audio) fillSelect('camera-select', of('videoinput'), 'camN', S.cam);
    fillSelect('mic-select', of('audioinput'), 'micN', S.mic);
  } catch (e) {
    console.warn('room.js: enumerateDevices', e);
  }
}

/** Shows the chosen camera in the pre-join preview. */
function showPreview() {
  if (CFG.audio) return;
  const preview = el('preview', HTMLVideoElement);
  if (!preview) return;
  preview.muted = true;
  preview.srcObject = S.cam ? new MediaStream([S.cam]) : null;
  if (S.cam) preview.play().catch((e) => console.warn('room.js: preview', e));
}

/** Switches the pre-join camera or microphone to the selected device. @param {'cam' | 'mic'} which @param {string} deviceId */
async function switchDevice(which, deviceId) {
  if (!deviceId) return;
  try {
    const track = await openDevice(which === 'cam' ? 'video' : 'audio', deviceId);
    S[which]?.stop();
    S[which] = track;
    if (which === 'cam') showPreview();
  } catch (e) {
    console.warn('room.js: switching device', e);
    prejoinNote(t(which === 'cam' ? 'camFailed' : 'micFailed'));
  }
}

/** Adds "microphone / camera on when joining" checkboxes before the join button, unless the page has them. */
function addJoinOptions() {
  const join = el('join', HTMLButtonElement);
  /** @type {[string, StringKey, boolean][]} */
  const options = [['join-mic', 'joinMic', !CFG.pupil], ['join-cam', 'joinCam', false]];
  if (CFG.audio) options.pop();
  for (const [id, key, checked] of options) {
    if (!join || document.getElementById(id)) continue;
    const box = document.createElement('input');
    Object.assign(box, { type: 'checkbox', id, checked });
    join.before(h('p', { class: 'join-option' }, box, ' ', h('label', { for: id }, t(key))));
  }
}

/** The pre-join screen: permission, device lists, preview, join button. */
async function prejoin() {
  addJoinOptions();
  el('join', HTMLButtonElement)?.addEventListener('click', onJoin);
  const media = navigator.mediaDevices;
  if (!media || typeof media.getUserMedia !== 'function') return prejoinNote(t('noMedia'));
  await askPermission();
  await listDevices();
  showPreview();
  media.addEventListener('devicechange', () => void listDevices());
  const cam = el('camera-select', HTMLSelectElement);
  const mic = el('mic-select', HTMLSelectElement);
  cam?.addEventListener('change', () => void switchDevice('cam', cam.value));
  mic?.addEventListener('change', () => void switchDevice('mic', mic.value));
}

/** Join button: fixes how the microphone and camera start, connects. */
function onJoin() {
  if (S.phase !== 'prejoin') return;
  const micBox = el('join-mic', HTMLInputElement, true);
  const camBox = el('join-cam', HTMLInputElement, true);
  S.micOn = !!S.mic && (micBox ? micBox.checked : !CFG.pupil);
  S.camOn = !!S.cam && !!camBox?.checked;
  if (S.mic) S.mic.enabled = S.micOn;
  if (S.host && typeof AudioContext === 'function') S.chime = new AudioContext();
  const join = el('join', HTMLButtonElement);
  if (join) {
    join.disabled = true;
    join.dataset.label = join.textContent ?? '';
    setLabel(join, t('joining'));
  }
  S.phase = 'joining';
  connect();
}

/** Shows the room instead of the pre-join screen. */
function enterRoom() {
  show('prejoin', false);
  show('room', true);
  const preview = el('preview', HTMLVideoElement, true);
  if (preview) preview.srcObject = null;
  if (!S.camOn) S.cam?.stop(); // the camera light goes off: it stays off unless chosen
  if (!S.camOn) S.cam = null;
  if (S.host) addEndButton();
  updateButtons();
  el('btn-mic', HTMLButtonElement)?.focus();
}

// ---- Signalling socket -------------------------------------------------------------------------
/** Sends a message if the socket is open. @param {ClientMsg} msg @returns {boolean} whether it went */
function send(msg) {
  if (!S.ws || S.ws.readyState !== WebSocket.OPEN) return false;
  S.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
  return true;
}

/** Opens the socket; `join` (with the resume token after a blip), then a `ping` every 10 s. */
function connect() {
  const url = new URL(CFG.ws, location.origin);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  S.ws = ws;
  ws.addEventListener('open', () => {
    send(S.resume ? { type: 'join', resume: S.resume } : { type: 'join' });
    clearInterval(S.pingTimer);
    S.pingTimer = window.setInterval(() => send({ type: 'ping' }), PING_MS);
  });
  ws.addEventListener('message', (e) => onMessage(e.data));
  ws.addEventListener('close', () => onClose(ws));
}

/** Socket closed: back to the pre-join screen if never in, else reconnect with backoff (1, 2, 4… 10 s). @param {WebSocket} ws */
function onClose(ws) {
  if (ws !== S.ws) return;
  S.ws = null;
  clearInterval(S.pingTimer);
  S.answer?.reject(new Error('socket closed'));
  if (S.phase === 'done') return;
  if (!S.everJoined) {
    S.phase = 'prejoin';
    prejoinNote(t('joinFailed'));
    const join = el('join', HTMLButtonElement);
    if (join) join.disabled = false;
    setLabel(join, join?.dataset.label ?? '');
    return;
  }
  if (S.attempts >= MAX_RECONNECTS) return finish('lost');
  if (S.phase !== 'reconnecting') announce(t('reconnecting'));
  S.phase = 'reconnecting';
  showQuality('qLost');
  S.attempts += 1;
  S.retryTimer = window.setTimeout(connect, S.backoff);
  S.backoff = Math.min(S.backoff * 2, BACKOFF_MAX_MS);
}

/** Parses and dispatches one server message; bad ones are logged and dropped. @param {unknown} data */
function onMessage(data) {
  /** @type {any} */
  let msg = null;
  try { msg = JSON.parse(String(data)); } catch { /* logged below */ }
  if (!msg || msg.v !== PROTOCOL_VERSION || typeof msg.type !== 'string') return console.warn('room.js: bad message', data);
  try { handle(/** @type {ServerMsg} */ (msg)); } catch (e) { console.warn('room.js: handling', msg.type, e); }
}

/** @param {ServerMsg} msg */
function handle(msg) {
  switch (msg.type) {
    case 'joined': return onJoined(msg);
    case 'answer': return S.answer?.resolve(String(msg.sdp));
    case 'tracks': return onTracks(msg.tracks);
    case 'renegotiate':
      S.need = { audio: Number(msg.audio) || 0, video: Number(msg.video) || 0 };
      return void negotiate();
    case 'participant_joined': return onParticipant(msg.participant, true);
    case 'participant_state': return onParticipant(msg.participant, false);
    case 'participant_left': return onLeft(msg.id);
    case 'hands':
      S.hands = Array.isArray(msg.queue) ? msg.queue.filter((id) => typeof id === 'string') : [];
      return renderHands();
    case 'speaker': return onSpeaker(msg.id);
    case 'video':
      msg.on ? S.videoOff.delete(msg.mid) : S.videoOff.add(msg.mid);
      return renderTiles();
    case 'layers':
      return void limitLayers(String(msg.mid), String(msg.max)).catch((e) => console.warn('room.js: layers', e));
    case 'chat': return onChat(msg, true);
    case 'muted': return onMuted(msg.by);
    case 'removed': return finish('removed');
    case 'ended': return finish('ended');
    case 'waiting':
      prejoinNote(t('waiting'));
      return announce(t('waiting'));
    case 'refused':
      return finish(/** @type {Record<string, StringKey>} */ ({ refused: 'refusedByHost', locked: 'lockedOut', full: 'roomFull',
        ended: 'ended', removed: 'removed' })[msg.reason] ?? 'joinFailed');
    case 'lobby': return onLobby(Array.isArray(msg.waiting) ? msg.waiting : []);
    case 'locked':
      S.locked = !!msg.locked;
      updateButtons();
      return announce(t(S.locked ? 'lockedNow' : 'unlockedNow'));
    case 'recording':
      S.recording = msg.on ? String(msg.by) : null;
      renderRecording();
      return announce(S.recording !== null ? t('recordingBy', { name: S.recording }) : t('recordingStopped'));
    case 'error':
      console.warn('room.js: server error', msg.code, msg.message);
      if (msg.code === 'bad_offer') S.answer?.reject(new Error('bad_offer')); // no answer will come
      if (msg.message) announce(msg.message);
      return;
    case 'pong': return;
    default: console.warn('room.js: unknown message', msg);
  }
}

/** `joined`: my first entry, or my place back after a blip. @param {JoinedMsg} msg */
function onJoined(msg) {
  const sameSeat = msg.you === S.you && S.pc !== null;
  const first = S.phase === 'joining';
  const wasRecording = S.recording;
  Object.assign(S, { you: msg.you, resume: msg.resume, host: !!msg.host, everJoined: true, backoff: 1000, attempts: 0,
    locked: !!msg.locked, recording: typeof msg.recording === 'string' ? msg.recording : null, recordable: !!msg.recordable });
  S.participants = new Map((Array.isArray(msg.participants) ? msg.participants : []).map((p) => [p.id, p]));
  if (!S.participants.has(msg.you)) { // in case the list leaves me out; sendState() below fills in the rest
    S.participants.set(msg.you, { id: msg.you, name: CFG.me, host: S.host, audio: false, video: false, screen: false, hand: false });
  }
  S.hand = !!S.participants.get(msg.you)?.hand;
  S.hands = Array.isArray(msg.hands) ? msg.hands : [];
  S.pins = S.pins.filter((id) => S.participants.has(id));
  if (first) enterRoom();
  else if (S.phase === 'reconnecting') announce(t('reconnected'));
  S.phase = 'in';
  el('chat-log', HTMLElement)?.replaceChildren();
  for (const m of Array.isArray(msg.chat) ? msg.chat : []) onChat(m, false);
  const iceServers = Array.isArray(msg.ice_servers) ? msg.ice_servers : [];
  if (sameSeat && S.pc) {
    try { S.pc.setConfiguration({ ...S.pc.getConfiguration(), iceServers }); } catch (e) { console.warn('room.js', e); }
    if (!['connected', 'completed'].includes(S.pc.iceConnectionState)) S.pc.restartIce();
  } else {
    closePc();
    createPc(iceServers);
  }
  renderAll();
  updateButtons();
  renderRecording();
  if (first) announce(t('joinedRoom'));
  // Said on entering, and on coming back after a blip if it started or stopped meanwhile.
  if ((first || wasRecording !== S.recording) && S.recording !== null) announce(t('recordingBy', { name: S.recording }));
  else if (!first && wasRecording !== null && S.recording === null) announce(t('recordingStopped'));
  sendState();
  S.lastView = '';
  scheduleView();
  void negotiate();
}

// ---- Peer connection and negotiation -----------------------------------------------------------
/** One peer connection for everything I send and receive. @param {RTCIceServer[]} iceServers */
function createPc(iceServers) {
  const pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  Object.assign(S, { pc, tx: { mic: null, cam: null, screen: null }, mids: new Map(), prevStats: { lost: 0, recv: 0 } });
  S.videoOff.clear();
  if (S.mic) S.tx.mic = pc.addTransceiver(S.mic, { direction: 'sendonly' });
  if (S.camOn && S.cam) S.tx.cam = addCamera(pc, S.cam);
  if (S.screen) S.tx.screen = addScreen(pc, S.screen);
  pc.addEventListener('connectionstatechange', () => { // Chromium: 'failed' here while ICE says 'disconnected'
    void measure();
    if (pc !== S.pc || pc.connectionState !== 'failed') return;
    pc.restartIce(); // new ICE credentials in the next offer; we stay in the room
    void negotiate();
  });
  clearInterval(S.statsTimer);
  S.statsTimer = window.setInterval(() => void measure(), STATS_MS);
  showQuality('qConnecting');
}

/** Closes the peer connection and drops its <audio> elements. */
function closePc() {
  S.pc?.close();
  S.pc = null;
  S.answer?.reject(new Error('closed'));
  for (const audio of S.audios.values()) audio.remove();
  S.audios.clear();
}

/** The camera, in three simulcast layers (q, h, f). @param {RTCPeerConnection} pc @param {MediaStreamTrack} track */
function addCamera(pc, track) {
  return pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: SIMULCAST.map((e) => ({ ...e })) });
}

/**
 * Encodes my camera's simulcast layers up to `max` (`q`, `h` or `f`) only: the server asks when
 * nobody shows my camera larger, and again as soon as someone does. Saves my upload.
 * @param {string} mid @param {string} max
 */
async function limitLayers(mid, max) {
  const tr = S.tx.cam;
  const rids = SIMULCAST.map((e) => e.rid);
  const top = rids.indexOf(max);
  if (!tr || tr.mid !== mid || top < 0) return;
  const params = tr.sender.getParameters();
  let changed = false;
  for (const e of params.encodings ?? []) {
    const active = rids.indexOf(e.rid) <= top;
    if (e.active !== active) [e.active, changed] = [active, true];
  }
  if (changed) await tr.sender.setParameters(params);
}

/**
 * The screen share, its own transceiver, first in line for my upstream bandwidth: the browser's
 * bitrate allocator gives a `high` priority encoding four times the share of a `low` one.
 * @param {RTCPeerConnection} pc @param {MediaStreamTrack} track
 */
function addScreen(pc, track) {
  return pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ maxBitrate: 1_500_000, priority: 'high', networkPriority: 'high' }] });
}

/** Adds receive-only transceivers up to the counts the server asked for. @param {RTCPeerConnection} pc */
function ensureReceivers(pc) {
  const live = pc.getTransceivers().filter((tr) => tr.currentDirection !== 'stopped');
  const need = { ...S.need };
  if (live.length === 0) need.audio = Math.max(need.audio, 1); // an offer is never empty
  for (const kind of /** @type {const} */ (['audio', 'video'])) {
    const have = live.filter((tr) => tr.direction === 'recvonly' && tr.receiver.track.kind === kind).length;
    for (let i = have; i < need[kind]; i++) pc.addTransceiver(kind, { direction: 'recvonly' });
  }
}

/** Plays each receive-only audio transceiver through its own hidden <audio> element. */
function attachAudio() {
  let box = document.getElementById('room-audio');
  if (!box) (document.getElementById('room') ?? document.body).append(box = h('div', { id: 'room-audio', hidden: '' }));
  for (const tr of S.pc?.getTransceivers() ?? []) {
    if (!tr.mid || tr.direction !== 'recvonly' || tr.receiver.track.kind !== 'audio' || S.audios.has(tr.mid)) continue;
    const audio = Object.assign(document.createElement('audio'), { autoplay: true, srcObject: new MediaStream([tr.receiver.track]) });
    box.append(audio);
    S.audios.set(tr.mid, audio);
  }
}

/** Resolves when ICE gathering is complete or after `ms`, whichever comes first. @param {RTCPeerConnection} pc @param {number} ms */
function gathered(pc, ms) {
  return /** @type {Promise<void>} */ (new Promise((resolve) => {
    const done = () => { clearTimeout(timer); pc.removeEventListener('icegatheringstatechange', check); resolve(); };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
    check();
  }));
}

/** The SDP of the next `answer`; rejects after a timeout or when the socket closes. @returns {Promise<string>} */
function nextAnswer() {
  return new Promise((resolve, reject) => {
    /** @param {() => void} fn */
    const settle = (fn) => { clearTimeout(timer); S.answer = null; fn(); };
    const timer = setTimeout(() => settle(() => reject(new Error('no answer'))), ANSWER_TIMEOUT_MS);
    S.answer = { resolve: (sdp) => settle(() => resolve(sdp)), reject: (e) => settle(() => reject(e)) };
  });
}

/** Which of my sending mids is which source (a stopped screen share is not listed). */
function sources() {
  /** @type {Record<string, Source>} */
  const map = {};
  const { mic, cam, screen } = S.tx;
  if (mic?.mid) map[mic.mid] = 'audio';
  if (cam?.mid) map[cam.mid] = 'camera';
  if (screen?.mid && screen.direction === 'sendonly') map[screen.mid] = 'screen';
  return map;
}

/**
 * Offer → answer, one at a time (a request made meanwhile runs right after). No trickle: the
 * offer goes once ICE gathering is complete or after GATHER_MS, whichever comes first.
 */
async function negotiate() {
  const pc = S.pc;
  if (!pc || S.phase !== 'in') return;
  if (S.offering) return void (S.offerAgain = true);
  S.offering = true;
  try {
    do {
      S.offerAgain = false;
      ensureReceivers(pc);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, GATHER_MS);
      const answer = nextAnswer();
      const sent = send({ type: 'offer', sdp: pc.localDescription?.sdp ?? '', sources: sources() });
      if (!sent) S.answer?.reject(new Error('socket not open'));
      await pc.setRemoteDescription({ type: 'answer', sdp: await answer });
      attachAudio();
      renderTiles();
    } while (S.offerAgain && pc === S.pc);
  } catch (e) {
    console.warn('room.js: negotiation', e);
    if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
    const refused = e instanceof Error && e.message === 'bad_offer'; // the same offer would be refused again
    if (!refused && pc === S.pc && S.ws?.readyState === WebSocket.OPEN) S.retryTimer = window.setTimeout(() => void negotiate(), 3000);
  } finally {
    S.offering = false;
  }
}

// ---- Participants, tiles, hands ----------------------------------------------------------------
/** `tracks`: the whole mapping of my receive mids to participants and sources. @param {TrackMapping[]} list */
function onTracks(list) {
  const before = S.mids;
  S.mids = new Map();
  for (const m of Array.isArray(list) ? list : []) {
    if (typeof m?.mid !== 'string' || typeof m.participant !== 'string') continue;
    S.mids.set(m.mid, { participant: m.participant, source: m.source });
    const old = before.get(m.mid);
    if (old?.participant !== m.participant || old?.source !== m.source) S.videoOff.delete(m.mid);
  }
  attachAudio();
  renderTiles();
  scheduleView();
}

/** `participant_joined` / `participant_state`. @param {Participant} p @param {boolean} joined */
function onParticipant(p, joined) {
  if (typeof p?.id !== 'string') return;
  const old = S.participants.get(p.id);
  S.participants.set(p.id, p);
  if (p.id === S.you) {
    if (S.hand && !p.hand) announce(t('handLoweredByHost'));
    S.hand = !!p.hand;
    updateButtons();
  } else {
    if (joined && !old) announce(t('pJoined', { name: p.name }));
    if (p.hand && !old?.hand) announce(t('handRaised', { name: p.name }));
  }
  renderAll();
}

/** `participant_left`. @param {string} id */
function onLeft(id) {
  const p = S.participants.get(id);
  if (!p) return;
  S.participants.delete(id);
  S.pins = S.pins.filter((x) => x !== id);
  S.hands = S.hands.filter((x) => x !== id);
  if (S.speaker === id) S.speaker = null;
  announce(t('pLeft', { name: p.name }));
  renderAll();
  scheduleView();
}

/** `speaker`: highlight the dominant speaker's tile and entry. @param {string | null} id */
function onSpeaker(id) {
  S.speaker = id ?? null;
  for (const tile of S.tiles.values()) tile.root.classList.toggle('speaking', tile.source === 'camera' && tile.pid === S.speaker);
  renderList(); // the list says who speaks, in words
}

/** Renders tiles, the participant list and the hands queue. */
function renderAll() {
  renderTiles();
  renderList();
  renderHands();
}

/** The receive mid carrying a participant's source. @param {string} pid @param {Source} source */
function midOf(pid, source) {
  for (const [mid, m] of S.mids) if (m.participant === pid && m.source === source) return mid;
  return null;
}

/** The track a receive mid delivers. @param {string} mid */
function receivedTrack(mid) {
  return S.pc?.getTransceivers().find((tr) => tr.mid === mid)?.receiver.track ?? null;
}

/** A tile: video or avatar, name, pin button (not on my own). @param {string} pid @param {VideoSource} source @returns {Tile} */
function createTile(pid, source) {
  const video = document.createElement('video');
  Object.assign(video, { muted: true, autoplay: true, playsInline: true, hidden: true });
  const avatar = h('span', { class: 'tile-avatar', 'aria-hidden': 'true' });
  const media = h('div', { class: 'tile-media' }, video, avatar);
  const name = h('span', { class: 'tile-name' });
  const root = h('figure', { class: `tile ${source}`, 'data-participant': pid }, media, h('figcaption', {}, name));
  const pin = pid !== S.you && source === 'camera' ? button(t('pin'), '', 'tile-pin') : null;
  if (pin) {
    pin.setAttribute('aria-pressed', 'false');
    pin.addEventListener('click', () => togglePin(pid));
    root.append(pin);
  }
  resizer?.observe(media);
  return { key: `${pid}|${source}`, pid, source, root, media, video, avatar, name, pin };
}

/** The track a tile should show now, or null for the avatar. @param {Tile} tile */
function tileTrack(tile) {
  if (tile.pid === S.you) return tile.source === 'camera' && S.camOn ? S.cam : null;
  if (S.audioOnly) return null;
  const mid = midOf(tile.pid, tile.source);
  const on = tile.source === 'screen' || S.participants.get(tile.pid)?.video !== false;
  return mid && on && !S.videoOff.has(mid) ? receivedTrack(mid) : null;
}

/** Brings one tile up to date. @param {Tile} tile */
function updateTile(tile) {
  const name = S.participants.get(tile.pid)?.name ?? '';
  const track = tileTrack(tile);
  const current = tile.video.srcObject instanceof MediaStream ? tile.video.srcObject.getTracks()[0] : null;
  if (current !== track) tile.video.srcObject = track ? new MediaStream([track]) : null;
  tile.video.hidden = !track;
  tile.avatar.hidden = !!track;
  tile.avatar.textContent = initials(name);
  const self = tile.pid === S.you;
  tile.name.textContent = tile.source === 'screen' ? t('screenOf', { name }) : self ? `${name} (${t('you')})` : name;
  const pinned = S.pins.includes(tile.pid);
  tile.root.classList.toggle('self', self);
  tile.root.classList.toggle('pinned', pinned);
  tile.root.classList.toggle('speaking', tile.source === 'camera' && tile.pid === S.speaker);
  tile.pin?.setAttribute('aria-pressed', String(pinned));
  setHidden(tile.pin, t('of', { name }));
}

/** Tiles in display order: pinned participants, then screen shares, then everyone in order of arrival. */
function tileOrder() {
  /** @type {Map<string, [string, VideoSource]>} */
  const order = new Map();
  const add = (/** @type {string} */ pid, /** @type {VideoSource} */ source) => {
    if (S.participants.has(pid) && (source === 'camera' || midOf(pid, 'screen'))) order.set(`${pid}|${source}`, [pid, source]);
  };
  for (const pid of S.pins) add(pid, 'camera'), add(pid, 'screen');
  for (const m of S.mids.values()) if (m.source === 'screen') add(m.participant, 'screen');
  for (const pid of S.participants.keys()) add(pid, 'camera');
  return order;
}

/** Creates, updates, removes and orders the tiles in #grid (pinned first: the focus order follows). */
function renderTiles() {
  const grid = el('grid', HTMLElement);
  if (!grid) return;
  const order = tileOrder();
  for (const [key, tile] of S.tiles) {
    if (order.has(key)) continue;
    resizer?.unobserve(tile.media);
    tile.video.srcObject = null;
    tile.root.remove();
    S.tiles.delete(key);
  }
  /** @type {HTMLElement[]} */
  const roots = [];
  for (const [key, [pid, source]] of order) {
    const tile = S.tiles.get(key) ?? createTile(pid, source);
    S.tiles.set(key, tile);
    updateTile(tile);
    roots.push(tile.root);
  }
  if (!roots.every((r, i) => grid.children[i] === r)) keepFocus(grid, () => grid.append(...roots));
}

/** Pins or unpins a participant (several allowed, kept in order). @param {string} pid */
function togglePin(pid) {
  S.pins = S.pins.includes(pid) ? S.pins.filter((x) => x !== pid) : [...S.pins, pid];
  renderTiles();
  scheduleView();
}

/** " — animateur, micro coupé, main levée". @param {Participant} p */
function statusText(p) {
  /** @type {[boolean, StringKey][]} */
  const flags = [[p.host, 'host'], [!!p.guest, 'guest'], [p.id === S.speaker, 'speaking'], [!p.audio, 'statusMicOff'], [p.video, 'statusCam'], [p.screen, 'statusScreen'],
    [p.hand, 'statusHand']];
  const parts = flags.filter(([on]) => on).map(([, key]) => t(key));
  return parts.length ? ` — ${parts.join(', ')}` : '';
}

/** A participant's entry, with host controls (mute, lower hand, remove) when I host. @param {Participant} p @returns {Entry} */
function createEntry(p) {
  const name = h('span', { class: 'name' });
  const status = h('span', { class: 'status' });
  const li = h('li', { 'data-participant': p.id }, name, status);
  if (!S.host || p.id === S.you) return { li, name, status, mute: null, lower: null, remove: null };
  const mute = button(t('mute'), '', 'host-mute');
  const lower = button(t('lowerHand'), '', 'host-lower');
  const remove = button(t('remove'), '', 'host-remove');
  mute.addEventListener('click', () => send({ type: 'mute', participant: p.id }));
  lower.addEventListener('click', () => send({ type: 'lower_hand', participant: p.id }));
  remove.addEventListener('click', () => {
    const who = S.participants.get(p.id)?.name ?? '';
    if (confirm(t('confirmRemove', { name: who }))) send({ type: 'remove', participant: p.id });
  });
  li.append(h('span', { class: 'host-actions' }, mute, ' ', lower, ' ', remove));
  return { li, name, status, mute, lower, remove };
}

/** Renders #participants, keeping each entry (and the focus on its buttons) across updates. */
function renderList() {
  const list = el('participants', HTMLElement);
  if (!list) return;
  keepFocus(list, () => {
    for (const [id, entry] of S.entries) {
      if (S.participants.has(id)) continue;
      entry.li.remove();
      S.entries.delete(id);
    }
    let i = 0;
    for (const p of S.participants.values()) {
      const entry = S.entries.get(p.id) ?? createEntry(p);
      S.entries.set(p.id, entry);
      entry.name.textContent = p.id === S.you ? `${p.name} (${t('you')})` : p.name;
      entry.status.textContent = statusText(p);
      entry.li.classList.toggle('speaking', p.id === S.speaker);
      for (const b of [entry.mute, entry.lower, entry.remove]) setHidden(b, t('of', { name: p.name }));
      if (entry.mute) entry.mute.disabled = !p.audio;
      if (entry.lower) entry.lower.hidden = !p.hand;
      if (entry.remove) entry.remove.hidden = p.host; // hosts stay (the server refuses it too)
      if (list.children[i] !== entry.li) list.insertBefore(entry.li, list.children[i] ?? null);
      i += 1;
    }
    while (list.children.length > i) list.lastElementChild?.remove(); // whatever the page rendered before
  });
}

/** The queue of raised hands in #hands, in the order they were raised (hosts only). */
function renderHands() {
  const list = el('hands', HTMLElement, !S.host);
  if (list && !S.host) list.hidden = true;
  if (!list || !S.host) return;
  keepFocus(list, () => {
    const items = S.hands.filter((id) => S.participants.has(id)).map((id) => {
      const name = S.participants.get(id)?.name ?? '';
      const lower = button(t('handsLower'), t('of', { name }), 'hand-lower');
      lower.addEventListener('click', () => send({ type: 'lower_hand', participant: id }));
      return h('li', { 'data-participant': id }, h('span', { class: 'name' }, name), ' ', lower);
    });
    list.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, t('noHands'))]));
  });
}

/** `lobby` (hosts): the guests waiting; a newcomer is announced, with a chime. @param {Knocking[]} waiting */
function onLobby(waiting) {
  const known = new Set(S.lobby.map((k) => k.id));
  S.lobby = waiting.filter((k) => typeof k?.id === 'string' && typeof k?.name === 'string');
  const arrived = S.lobby.filter((k) => !known.has(k.id));
  for (const k of arrived) announce(t('knocking', { name: k.name }));
  if (arrived.length) chime();
  renderLobby();
}

/** Two short tones, so a host who looks elsewhere hears that someone waits. */
function chime() {
  const ctx = S.chime;
  if (!ctx) return;
  void ctx.resume();
  [[660, 0], [880, 0.18]].forEach(([hz, at]) => {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.15, ctx.currentTime + at);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + at);
    osc.stop(ctx.currentTime + at + 0.17);
  });
}

/** The lobby in #lobby (hosts of a meeting): each guest with "let in" and "refuse". */
function renderLobby() {
  const list = el('lobby', HTMLElement, true);
  if (!list) return;
  keepFocus(list, () => {
    const items = S.lobby.map((k) => {
      const admit = button(t('admit'), t('of', { name: k.name }), 'lobby-admit');
      const refuse = button(t('refuse'), t('of', { name: k.name }), 'lobby-refuse');
      admit.addEventListener('click', () => send({ type: 'admit', guest: k.id }));
      refuse.addEventListener('click', () => send({ type: 'refuse', guest: k.id }));
      return h('li', { 'data-guest': k.id }, h('span', { class: 'name' }, k.name), ' ', admit, ' ', refuse);
    });
    list.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, t('noKnock'))]));
  });
}

// ---- What I show: `view` -----------------------------------------------------------------------
/** Displayed height of each received video (0 = hidden), my pins, audio only. */
function currentView() {
  /** @type {Record<string, number>} */
  const heights = {};
  for (const [mid, m] of S.mids) {
    if (m.source === 'audio') continue;
    const tile = S.tiles.get(`${m.participant}|${m.source}`);
    heights[mid] = S.audioOnly || !tile ? 0 : Math.round(tile.media.getBoundingClientRect().height);
  }
  return { heights, pins: [...S.pins], audio_only: S.audioOnly };
}

/** Sends `view` if it changed, at most once per VIEW_MS. */
function scheduleView() {
  if (S.viewTimer || S.phase !== 'in') return;
  S.viewTimer = window.setTimeout(() => {
    S.viewTimer = 0;
    const view = currentView();
    const key = JSON.stringify(view);
    if (key !== S.lastView && send({ type: 'view', ...view })) Object.assign(S, { lastView: key, viewAt: Date.now() });
  }, Math.max(0, S.viewAt + VIEW_MS - Date.now()));
}

// ---- My microphone, camera, screen, hand -------------------------------------------------------
/** Tells the room whether my microphone, camera and screen share are on. */
function sendState() {
  const audio = S.micOn && !!S.mic, video = S.camOn && !!S.cam;
  send({ type: 'state', audio, video, screen: !!S.screen });
  const me = S.participants.get(S.you ?? '');
  if (me) Object.assign(me, { audio, video, screen: !!S.screen, hand: S.hand });
}

/** The control bar's toggles: aria-pressed and labels. */
function updateButtons() {
  setToggle('btn-mic', S.micOn, t(S.micOn ? 'micOn' : 'micOff'));
  setToggle('btn-cam', S.camOn, t(S.camOn ? 'camOn' : 'camOff'));
  setToggle('btn-screen', !!S.screen, t(S.screen ? 'screenOn' : 'screenOff'));
  setToggle('btn-hand', S.hand, t(S.hand ? 'handOn' : 'handOff'));
  setToggle('btn-audio-only', S.audioOnly, t(S.audioOnly ? 'audioOnlyOn' : 'audioOnlyOff'));
  if (S.host) setToggle('btn-lock', S.locked, t(S.locked ? 'lockOn' : 'lock'));
}

/** The recording's banner, shown to everyone while one runs, and the hosts' button. */
function renderRecording() {
  const banner = el('recording', HTMLElement);
  if (banner) {
    banner.hidden = S.recording === null;
    banner.textContent = S.recording !== null ? t('recordingBy', { name: S.recording }) : '';
  }
  const button = el('btn-record', HTMLButtonElement, true);
  if (button) {
    button.hidden = !S.recordable;
    setToggle('btn-record', S.recording !== null, t(S.recording !== null ? 'recordOn' : 'record'));
  }
}

/** After a change of my own state: buttons, `state`, my tile and entry. */
function selfChanged() {
  updateButtons();
  sendState();
  renderTiles();
  renderList();
}

/** Microphone on/off: the track stays in the connection, only `enabled` changes. */
async function toggleMic() {
  if (!S.mic) { // no microphone yet (refused at first): ask again
    try {
      S.mic = await openDevice('audio', el('mic-select', HTMLSelectElement, true)?.value || undefined);
    } catch (e) {
      console.warn('room.js: microphone', e);
      return announce(t('micFailed'));
    }
    S.micOn = false;
    if (S.pc) S.tx.mic = S.pc.addTransceiver(S.mic, { direction: 'sendonly' });
    void negotiate();
  }
  S.micOn = !S.micOn;
  S.mic.enabled = S.micOn;
  selfChanged();
}

/** Camera off: the device is released; the transceiver stays, without a track. */
function cameraOff() {
  S.cam?.stop();
  Object.assign(S, { cam: null, camOn: false });
  S.tx.cam?.sender.replaceTrack(null).catch((e) => console.warn('room.js: camera off', e));
}

/** Camera on: a fresh track, sent in three simulcast layers. */
async function cameraOn() {
  const track = await openDevice('video', el('camera-select', HTMLSelectElement, true)?.value || undefined);
  Object.assign(S, { cam: track, camOn: true });
  if (S.tx.cam) await S.tx.cam.sender.replaceTrack(track);
  else if (S.pc) {
    S.tx.cam = addCamera(S.pc, track);
    void negotiate();
  }
}

/** Camera button or V. */
async function toggleCam() {
  if (S.busy || CFG.audio) return;
  S.busy = true;
  try {
    await (S.camOn ? cameraOff() : cameraOn());
  } catch (e) {
    console.warn('room.js: camera', e);
    cameraOff();
    announce(t('camFailed'));
  } finally {
    S.busy = false;
    selfChanged();
  }
}

/** Shares a screen or a window on its own transceiver; the browser's "stop sharing" stops it cleanly. */
async function startScreen() {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
  const track = stream.getVideoTracks()[0];
  track.contentHint = 'detail';
  track.addEventListener('ended', stopScreen);
  S.screen = track;
  const tx = S.tx.screen;
  if (tx) {
    tx.direction = 'sendonly';
    await tx.sender.replaceTrack(track);
  } else if (S.pc) S.tx.screen = addScreen(S.pc, track);
  void negotiate();
  selfChanged();
}

/** Stops sharing: the transceiver goes inactive and the next offer no longer lists it. */
function stopScreen() {
  if (!S.screen) return;
  S.screen.stop();
  S.screen = null;
  const tx = S.tx.screen;
  if (tx && S.pc && S.pc.signalingState !== 'closed') {
    tx.sender.replaceTrack(null).catch(() => {});
    tx.direction = 'inactive';
    void negotiate();
  }
  announce(t('screenStopped'));
  selfChanged();
}

/** Screen button. */
async function toggleScreen() {
  if (S.busy || CFG.audio) return;
  S.busy = true;
  try {
    await (S.screen ? stopScreen() : startScreen());
  } catch (e) {
    console.warn('room.js: screen', e);
    if (!(e instanceof DOMException && e.name === 'NotAllowedError')) announce(t('screenFailed')); // not a "cancel"
  } finally {
    S.busy = false;
  }
}

/** Hand button or H. */
function toggleHand() {
  S.hand = !S.hand;
  send({ type: 'hand', raised: S.hand });
  selfChanged();
}

/** Audio only: no video received (`view`), and my camera stops. */
function toggleAudioOnly() {
  S.audioOnly = !S.audioOnly;
  if (S.audioOnly && S.camOn) cameraOff();
  selfChanged();
  scheduleView();
}

/** `muted`: the host turned my microphone off. @param {string} by */
function onMuted(by) {
  S.micOn = false;
  if (S.mic) S.mic.enabled = false;
  selfChanged();
  // `by` is the host's name (docs/signalling.md); an id is also understood.
  const name = S.participants.get(by)?.name ?? (typeof by === 'string' ? by : '');
  announce(name ? t('mutedBy', { name }) : t('mutedByHost'));
}

/** The host's "end for everyone" button, created in the control bar if the page lacks it. */
function addEndButton() {
  let end = document.getElementById('btn-end');
  const leave = el('btn-leave', HTMLButtonElement);
  if (!end && leave) leave.after(' ', end = h('button', { type: 'button', id: 'btn-end', class: 'danger' }, t('end')));
  end?.addEventListener('click', () => confirm(t('confirmEnd')) && send({ type: 'end' }));
}

// ---- Chat --------------------------------------------------------------------------------------
/** A chat message (mine come back too); others' announced if `live`. @param {ChatEntry} m @param {boolean} live */
function onChat(m, live) {
  const log = el('chat-log', HTMLElement);
  if (typeof m?.text !== 'string') return;
  const at = new Date(Number(m.at) || Date.now());
  const hhmm = at.toLocaleTimeString(LANG ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
  log?.append(h('li', { class: m.from === S.you ? 'mine' : '' }, h('time', { class: 'chat-time', datetime: at.toISOString() }, hhmm),
    ' ', h('span', { class: 'chat-name' }, String(m.name)), ' ', h('span', { class: 'chat-text' }, m.text)));
  if (log) log.scrollTop = log.scrollHeight;
  if (live && m.from !== S.you) announce(t('chatFrom', { name: m.name, text: m.text }));
}

/** Chat form: sends the text (1–1000 characters). */
function setupChat() {
  const input = el('chat-input', HTMLInputElement);
  if (input) input.maxLength = CHAT_MAX;
  el('chat-form', HTMLFormElement)?.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input?.value.trim().slice(0, CHAT_MAX);
    if (input && text && send({ type: 'chat', text })) input.value = '';
  });
}

// ---- Connection quality ------------------------------------------------------------------------
/** @typedef {'qGood' | 'qMedium' | 'qPoor' | 'qConnecting' | 'qLost'} Quality */

/** Words (not colour only), `data-quality` for the style. @param {Quality} level @param {{rtt: number, loss: number}} [figures] */
function showQuality(level, figures) {
  const q = el('quality', HTMLElement);
  if (!q) return;
  q.dataset.quality = level.slice(1).toLowerCase();
  q.textContent = figures ? t('qualityDetail', { q: t(level), ...figures }) : t('quality', { q: t(level) });
}

/** Samples `getStats()`: round-trip time of the selected candidate pair, packet loss since the last sample. */
async function measure() {
  const pc = S.pc;
  if (!pc || S.phase === 'done') return;
  const state = pc.connectionState;
  if (state !== 'connected') return showQuality(['failed', 'disconnected', 'closed'].includes(state) ? 'qLost' : 'qConnecting');
  const report = await pc.getStats();
  let pairId = '', rtt = 0, lost = 0, recv = 0, remoteLoss = 0;
  report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
  report.forEach((s) => {
    const selected = pairId ? s.id === pairId : s.nominated && s.state === 'succeeded';
    if (s.type === 'candidate-pair' && selected && typeof s.currentRoundTripTime === 'number') rtt = s.currentRoundTripTime;
    if (s.type === 'inbound-rtp') [lost, recv] = [lost + Math.max(0, s.packetsLost ?? 0), recv + (s.packetsReceived ?? 0)];
    if (s.type === 'remote-inbound-rtp') [remoteLoss, rtt] = [Math.max(remoteLoss, s.fractionLost ?? 0), rtt || (s.roundTripTime ?? 0)];
  });
  const dLost = lost - S.prevStats.lost, dRecv = recv - S.prevStats.recv;
  S.prevStats = { lost, recv };
  const loss = Math.max(remoteLoss, dLost + dRecv > 0 ? dLost / (dLost + dRecv) : 0);
  /** @type {Quality} */
  const level = rtt <= 0.15 && loss <= 0.02 ? 'qGood' : rtt <= 0.4 && loss <= 0.08 ? 'qMedium' : 'qPoor';
  showQuality(level, { rtt: Math.round(rtt * 1000), loss: Math.round(loss * 100) });
}

// ---- Controls, shortcuts, start ----------------------------------------------------------------
/** Wires the control bar. */
function setupControls() {
  /** @type {[string, () => unknown, string?][]} */
  const actions = [['btn-mic', toggleMic, 'M'], ['btn-cam', toggleCam, 'V'], ['btn-screen', toggleScreen],
    ['btn-hand', toggleHand, 'H'], ['btn-audio-only', toggleAudioOnly], ['btn-leave', () => finish('left')],
    ['btn-lock', () => send({ type: 'lock', locked: !S.locked })], ['btn-mute-all', () => send({ type: 'mute_all' })],
    ['btn-record', () => send({ type: 'record', on: S.recording === null })]];
  for (const [id, action, key] of actions) {
    const b = el(id, HTMLButtonElement);
    b?.addEventListener('click', () => void action());
    if (key) b?.setAttribute('aria-keyshortcuts', key);
  }
  const screen = el('btn-screen', HTMLButtonElement, true);
  if (screen && typeof navigator.mediaDevices?.getDisplayMedia !== 'function') screen.disabled = true; // phones
}

/** M, V, H in the room, except while typing. @param {KeyboardEvent} e */
function onKey(e) {
  if (S.phase !== 'in' || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  const target = e.target;
  if (target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select'))) return;
  const action = /** @type {Record<string, () => unknown>} */ ({ m: toggleMic, v: toggleCam, h: toggleHand })[e.key.toLowerCase()];
  if (!action) return;
  e.preventDefault();
  void action();
}

/**
 * A read-only debugging handle, `window.preauRoom`, for the browser console and the browser tests
 * (tests/e2e/tests/room.test.js, room-reconnect.test.js): the phase, my participant id, the peer
 * connection (for `getStats()`), the signalling socket (to simulate a network blip: close it with
 * a code other than 1000/1001) and the mapping of receive mids to participants and sources. The
 * page itself never reads it.
 */
function exposeHandle() {
  const handle = Object.freeze({
    get phase() { return S.phase; },
    get you() { return S.you; },
    get pc() { return S.pc; },
    get ws() { return S.ws; },
    get mids() { return new Map(S.mids); },
  });
  Object.defineProperty(window, 'preauRoom', { value: handle, configurable: false, enumerable: false, writable: false });
}

/** Entry point: only on the room page. */
function start() {
  if (main?.dataset.page !== 'room') return;
  exposeHandle();
  if (!CFG.ws) console.warn('room.js: #main has no data-ws');
  setupControls();
  setupChat();
  updateButtons();
  document.addEventListener('keydown', onKey);
  window.addEventListener('pagehide', () => { S.ws?.close(1000, 'page closed'); S.pc?.close(); });
  void prejoin();
}

start();
