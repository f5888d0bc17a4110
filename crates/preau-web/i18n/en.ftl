# Préau — English catalog.

skip-to-content = Skip to content
nav-label = Main navigation
nav-dashboard = Dashboard
nav-directory = Directory
nav-profile = My account
logout = Log out
footer-tagline = school continuity, hosted by the school
lang-label = Language
save = Save
actions = Actions
group = group
academie = académie of

role-pupil = Pupil
role-parent = Parent
role-teacher = Teacher
role-staff = School life staff
role-principal = Principal
role-admin = Administrator
role-guest = Guest

count-pupil = { $count ->
    [one] pupil
   *[other] pupils
}
count-parent = { $count ->
    [one] parent
   *[other] parents
}
count-teacher = { $count ->
    [one] teacher
   *[other] teachers
}
count-staff = { $count ->
    [one] school life staff
   *[other] school life staff
}
count-principal = { $count ->
    [one] principal
   *[other] principals
}
count-admin = { $count ->
    [one] administrator
   *[other] administrators
}
count-guest = { $count ->
    [one] guest
   *[other] guests
}

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
datetime = { $date } at { $time }

login-title = Log in
login-intro = Log in with the username and password your school gave you.
login-login = Username
login-password = Password
login-submit = Log in
login-failed = Wrong username or password.
login-disabled = This account is disabled. Please contact the school office.
login-throttled = { $minutes ->
    [one] Too many login attempts. Try again in one minute.
   *[other] Too many login attempts. Try again in { $minutes } minutes.
}
login-forgot = Forgot your password? The school's administrator can reset it.
logout-done = You are logged out.

dash-hello = Hello { $name }
dash-children = My children
dash-no-children = No pupil is linked to your account. Please contact the school office.
dash-today = Today
dash-today-empty = No lesson today.
dash-homework = Homework
dash-homework-empty = Nothing to do for now.
dash-homework-all = All homework
dash-meetings = Upcoming meetings
dash-meetings-empty = No meeting planned.
dash-my-classes = My classes and groups
dash-no-classes = No teaching is assigned to you.
dash-head-teacher-of = Head teacher of:
dash-admin = Administration
dash-directory-link = Account directory
dash-head-counts = Head counts
dash-divisions = Classes

col-class-or-group = Class or group
col-subject = Subject
col-pupils = Pupils
col-division = Class
col-level = Level
col-head-teacher = Head teacher
col-name = Name
col-login = Username
col-roles = Roles
col-status = Status

person-login = Username:
person-divisions = Class
person-parents = Parents
person-children = Children
person-teaching = Teaching

division-team = Teaching team
division-no-team = No teacher is linked to this class yet.
division-roster = { $count ->
    [one] Class list (1 pupil)
   *[other] Class list ({ $count } pupils)
}

profile-title = My account
profile-language = Interface language
profile-language-label = Language
profile-language-auto = My browser's
profile-language-saved = Your language has been saved.
profile-password = Change password
profile-password-current = Current password
profile-password-new = New password
profile-password-confirm = Confirm the new password
profile-password-submit = Change password
profile-password-changed = Your password has been changed. Your other sessions have been closed.
profile-sessions-link = My open sessions
password-rule = At least 8 characters. A sentence you can remember makes an excellent password.
password-too-short = The password must be at least 8 characters long.
password-too-long = The password cannot be longer than 1024 characters.
password-same-as-login = The password cannot be the username.
password-current-wrong = The current password is wrong.
password-mismatch = The two new passwords are not the same.

sessions-title = My sessions
sessions-intro = These devices are logged in to your account. Close any session you do not recognise, then change your password.
sessions-device = Device
sessions-address = Address
sessions-started = Opened
sessions-last = Last activity
sessions-this = this session
sessions-revoke = Close
sessions-revoke-label = Close the session { $device }
sessions-browser-on = { $browser } on { $os }
sessions-unknown-device = Unknown device
back-to-profile = Back to my account

dir-title = Directory
dir-search-label = Search for a person (last name, first name or username)
dir-search = Search
dir-new = Create an account
dir-count = { $count ->
    [0] Nobody found.
    [one] 1 person.
   *[other] { $count } people.
}
dir-reset = Reset password
dir-reset-label = Reset the password of { $name }
dir-disable = Disable
dir-enable = Enable
dir-disable-label = Disable the account of { $name }
dir-enable-label = Enable the account of { $name }
dir-created = The account has been created.
dir-disabled = The account has been disabled and its sessions closed.
dir-enabled = The account has been enabled again.
dir-error-self = You cannot disable your own account.
status-active = Active
status-disabled = Disabled
pagination = Pages
page-prev = Previous page
page-next = Next page
page-of = Page { $page } of { $pages }

divdir-title = Classes
divdir-search-label = Search for a class (name or level)
divdir-count = { $count ->
    [0] No class found.
    [one] 1 class.
   *[other] { $count } classes.
}
dash-role-switch = My roles
dash-guest = Your guest account gives access to the meetings you are invited to; none is planned for now.

new-title = Create an account
new-first-name = First name
new-last-name = Last name
new-login = Username
new-login-hint = Optional: firstname.lastname by default, lower case, without accents.
new-role = Role
new-password = Password
new-password-hint = Leave empty to generate one, shown only once. Otherwise at least 8 characters.
new-submit = Create the account
new-error-first-name = Enter the first name (at most 100 characters).
new-error-last-name = Enter the last name (at most 100 characters).
new-error-role = Choose a role from the list.
new-error-login = A username may only contain lower-case letters without accents, digits, dots, hyphens and underscores (2 to 64 characters).
new-error-login-taken = The username “{ $login }” is already taken: choose another one.
new-created = Account created: { $name }
new-created-login = Username: { $login }. Password:
form-has-errors = The form has errors:

reset-title = Password of { $name }
reset-submit = Reset the password
reset-done = The password of { $login } has been changed and their sessions closed. New password:
reset-give-once = Give it to the person: it will not be shown again.
reset-as-typed = (the one you typed)
back-to-directory = Back to the directory

error-code = Code
error-request-id = Request reference:
error-home = Back to the home page
error-403-title = Access denied
error-403-text = You are not allowed to see this page. If you think this is a mistake, please contact the school's administration.
error-csrf-title = Form expired
error-csrf-text = This form has expired or did not come from Préau. Go back, reload the page and try again.
error-404-title = Page not found
error-404-text = This page does not exist, or no longer does. Check the address.
error-405-title = Action not possible
error-405-text = This address does not accept this action.
error-413-title = Too much data
error-413-text = The data sent is larger than allowed.
error-429-title = Too many requests
error-429-text = Too many requests in a short time. Wait a moment and try again.
error-400-title = Invalid request
error-400-text = The data sent is incomplete or malformed. Go back and try again.
error-500-title = Server error
error-500-text = An unexpected error happened. If it happens again, give the reference below to the administrator.
error-bad-language = This language is not available.

dash-rooms = Virtual classrooms
dash-rooms-empty = No virtual classroom yet.
col-room = Virtual classroom
room-enter = Enter
room-enter-label = Enter the virtual classroom { $name }
room-new-link = Open a one-off virtual classroom
room-page-title = Virtual classroom · { $title }
room-kind-division = The class's virtual classroom
room-kind-group = The group's virtual classroom
room-kind-adhoc = One-off virtual classroom
room-you-host = you host this virtual classroom
room-share-label = Link to share
room-share-hint-adhoc = Anyone of the school with a Préau account can enter with this link.
room-share-hint-class = Only the pupils and teachers of the class or group, school life staff and the management can enter; pupils also find this link on their dashboard.
room-needs-js = The virtual classroom needs JavaScript for sound and video: turn it on in your browser, then reload the page.
room-prejoin-title = Before you enter
room-preview = Your camera's preview
room-camera = Camera
room-microphone = Microphone
room-device-default = Default
room-join-mic = Microphone on when joining
room-join-cam = Camera on when joining
room-note-pupil = You enter with your camera and microphone off; you can turn them on later if your teacher asks you to.
room-note-others = Pupils enter with their camera and microphone off.
room-join = Join
room-in-room = In class
room-quality-waiting = Connection: waiting
room-controls = Virtual classroom controls
room-mic = Microphone
room-cam = Camera
room-screen = Share screen
room-hand = Raise hand
room-audio-only = Audio only
room-leave = Leave
room-end = End for everyone
room-participants = Participants
room-hands = Raised hands
room-chat = Chat
room-chat-label = Your message
room-chat-send = Send
room-shortcuts = Keyboard shortcuts
room-shortcut-mic = turn the microphone off or on
room-shortcut-cam = turn the camera off or on
room-shortcut-hand = raise or lower your hand
room-full-title = Virtual classroom full
room-full-text = { $capacity ->
    [one] “{ $title }” already holds 1 person, the most it takes. Try again in a few minutes: a place frees up as soon as someone leaves.
   *[other] “{ $title }” already holds { $capacity } people, the most it takes. Try again in a few minutes: a place frees up as soon as someone leaves.
}
room-full-retry = Try again
room-full-back = Back to the dashboard
room-new-title = Open a virtual classroom
room-new-intro = For a meeting, extra help or a special session: anyone of the school with an account can enter with the link, shown in the virtual classroom once it is open.
room-new-name = Title
room-new-hint = For example “Maths help, Year 9”. 100 characters at most.
room-new-submit = Open the virtual classroom
room-new-error-title = Give a one-line title of 100 characters at most.

room-error-bad_message = Message not understood: the page may be out of date, reload it.
room-error-bad_version = Unknown protocol version: reload the page.
room-error-too_long = Message too long (1000 characters at most).
room-error-not_host = Only the class's host can do that.
room-error-no_guest = That person is no longer waiting: someone else answered them, or they left.
room-error-audio_only = An audio conference carries sound only.
room-error-is_host = A host cannot be removed from the session.

## Meetings
nav-meetings = Meetings
nav-meeting-rooms = Meeting rooms
error-bad-date = This date is not valid.
meetings-title = Meetings
meetings-agenda = My next meetings
meetings-none = No meeting planned.
meetings-rooms = Meeting rooms
meeting-rooms-none = The administration has not created any meeting room yet.
meeting-rooms-admin-title = Meeting rooms
meeting-rooms-admin-intro = The rooms staff can book: video meetings, staff-only meetings, audio conferences.
meeting-room-new = Add a room
meeting-room-create = Add the room
meeting-col-kind = Kind
meeting-col-capacity = Capacity
meeting-room-capacity = { $n ->
    [one] { $n } person
   *[other] { $n } people
}
meeting-room-kind-video = Video meeting
meeting-room-kind-staff_only = Staff only
meeting-room-kind-audio_conference = Audio conference
meeting-room-error-name = Give a one-line name of at most 200 characters.
meeting-room-error-kind = Choose a kind of room.
meeting-room-error-capacity = Capacity goes from 1 to { $max } people.
meeting-room-error-name-taken = A room is already called “{ $name }”.
meeting-room-week-of = Week of { $date }
meeting-room-weeks = Weeks
meeting-room-previous = Previous week
meeting-room-next = Next week
meeting-room-free = free
meeting-new-link = Book a room
meeting-new-title = Book a meeting room
meeting-field-title = Title
meeting-field-room = Room
meeting-field-date = Date
meeting-field-start = Start
meeting-field-end = End
meeting-field-repeat = Repeat
meeting-field-weekly = Every week
meeting-field-until = Until (included)
meeting-field-except = Except on
meeting-field-except-hint = Dates separated by commas, for example 27/10/2026, 03/11/2026.
meeting-field-invitees = Participants
meeting-field-guests = Outside guests (e-mail addresses)
meeting-field-guests-hint = One address per line. They will join through a link.
meeting-submit = Book
meeting-organizer = Organised by
meeting-occurrences = Sessions
meeting-no-invitees = Nobody else is invited.
meeting-guest = outside guest
meeting-cancelled = This meeting is cancelled.
meeting-download = Download the invitation (iCalendar)
meeting-download-cancel = Download the cancellation (iCalendar)
meeting-cancel = Cancel the meeting
meeting-repeat-weekly = Every week until { $until }
meeting-error-room = Choose a room of the establishment.
meeting-error-date = Give the date and times (and the repeat dates) in a valid format.
meeting-error-invitee = One of the participants chosen does not exist or cannot be invited.
meeting-error-email = Invalid e-mail address: { $address }
meeting-error-too-many-guests = At most { $max } outside guests.
meeting-error-staff-only-guests = A staff-only room takes neither parents nor outside guests.
meeting-error-over-capacity = The room holds at most { $capacity } people; { $wanted } would be needed, the organiser included.
meeting-error-clash-room = The room is already booked for “{ $title }” on { $when }.
meeting-error-clash-organizer = You already organise “{ $title }” on { $when }.
meeting-error-title-missing = The title is required.
meeting-error-title-too-long = The title is too long (at most 200 characters).
meeting-error-title-control = The title contains control characters.
meeting-error-end-not-after-start = The end must be after the start.
meeting-error-too-long = A meeting lasts at most 12 hours.
meeting-error-in-the-past = This time has already passed.
meeting-error-too-far-ahead = The date is too far ahead (at most 400 days).
meeting-error-recurrence-ends-before-start = The repeat must end after the first day.
meeting-error-recurrence-without-end = A weekly meeting needs an end date.
meeting-error-too-many-occurrences = A booking has at most 52 sessions.
meeting-error-no-occurrence = Every session is excluded.
meeting-error-bad-local-time = This time does not exist that day (change of time).
meeting-error-bad-capacity = Capacity goes from 1 to 300 people.
meeting-error-clash-room-private = The room is already booked on { $when }.
meeting-room-busy = Booked ({ $organizer })
title-with-errors = Error: { $title }
meeting-feed-title = My agenda in my calendar
meeting-feed-intro = A secret address to add as a subscription in Thunderbird, Zimbra or a phone's calendar: your meetings appear there and stay up to date.
meeting-feed-since = A subscription address exists since { $date }.
meeting-feed-make = Make the subscription address
meeting-feed-renew = Make a new address (the old one stops working)
meeting-feed-revoke = Revoke the address
meeting-feed-made = Here is your subscription address. Copy it now: it will not be shown again.
meeting-feed-url = Subscription address (iCalendar)
meeting-feed-hint = Keep it to yourself: anyone who knows it sees your meetings. You can revoke it at any time.
meeting-feed-back = Back to meetings
meeting-edit-title = Change the meeting
meeting-edit-link = Change the meeting
meeting-error-cancelled = This meeting is cancelled: it can no longer be changed.
meeting-now-link = Start a meeting now (a one-off virtual classroom, link at once)

room-lock = Lock
room-lobby = Lobby
room-lobby-empty = No one is waiting.
meeting-live-join = Join the meeting
meeting-live-opens = The meeting's room opens 15 minutes before each session starts and closes 30 minutes after it ends.
meeting-live-guest-link = Link for outside guests
meeting-live-share-hint = Give this link to outside guests: they will type their name and wait in the lobby until you let them in. It stops working 30 minutes after the last session ends.
meeting-live-closed-title = Meeting closed
meeting-live-cancelled = This meeting was cancelled.
meeting-live-over = This meeting is over.
meeting-live-not-yet = The room is not open yet: it opens 15 minutes before the next session, { $when }.
meeting-live-full = { $capacity ->
    [one] The room already holds 1 person, its capacity. Try again when someone has left.
   *[other] The room already holds { $capacity } people, its capacity. Try again when someone has left.
}
meeting-live-locked-title = Meeting locked
meeting-live-locked = The organizer locked the meeting: no one else may come in for now.
meeting-live-back = Back to the meeting
guest-link-title = Invitation link
guest-link-invalid = This invitation link is not valid. Check that it was copied whole, or ask the person who invited you for a new one.
guest-link-expired = This invitation link has expired: the meeting is over or was cancelled.
guest-link-replaced = This invitation link was replaced by a new one: ask the person who invited you for it.
guest-title = Join “{ $title }”
guest-intro = You are invited to this meeting. Type your name: the organizer will let you in.
guest-when = Session:
guest-name-label = Your name
guest-name-hint = As the participants will see it, at most 60 characters.
guest-name-error = Type your name, on one line, in at most 60 characters.
guest-submit = Ask to come in
guest-privacy = Préau keeps neither your name nor your address: they serve for the meeting only.
guest-kind = Meeting, as a guest
guest-note = You will wait in the lobby until the organizer lets you in.
guest-name = { $name } (guest)

mail-hello = Hello,
mail-meeting-invite-subject = Invitation: { $title }
mail-meeting-update-subject = Meeting changed: { $title }
mail-meeting-cancel-subject = Meeting cancelled: { $title }
mail-meeting-invite = { $organizer } invites you to the meeting “{ $title }”.
mail-meeting-cancelled = The meeting “{ $title }”, organized by { $organizer }, is cancelled, or you are no longer invited.
mail-meeting-when = When: { $when } (Paris time)
mail-meeting-series = { $first }, then every week ({ $count } sessions)
mail-meeting-link = To join the meeting, open this link when the time comes, type your name and wait: the organizer will let you in.
mail-meeting-link-hint = This link belongs to the meeting; it works until { $until }.
mail-meeting-ics = The invitation is attached (.ics file): open it to add it to your calendar.
meeting-mail-sent = invitation e-mailed on { $when }
meeting-mail-pending = e-mail waiting to be sent
meeting-mail-failed = the e-mail could not be sent ({ $error }); it will be tried again
meeting-mail-given-up = the e-mail could not be sent ({ $error }); given up
meeting-mail-off = This server does not e-mail invitations: give outside guests the link above or the invitation file.

conference-title = Join an audio conference
conference-intro = Type the code that came with the invitation, and your name. The host's code opens the conference as its host.
conference-pin-label = Conference code
conference-pin-hint = 6 to 9 digits; spaces do not count.
conference-submit = Join
conference-pin-format = The code has 6 to 9 digits.
conference-pin-wrong = This code opens no conference. Check it: after several wrong codes you will have to wait.
conference-throttled = { $minutes ->
    [one] Too many wrong codes from this address: try again in 1 minute.
   *[other] Too many wrong codes from this address: try again in { $minutes } minutes.
}
conference-kind = Audio conference
room-note-audio = Audio conference: only the microphone is used; no one is filmed.
room-mute-all = Mute everyone
meeting-pins = Conference codes
meeting-pins-intro = People join the conference from Préau's /conference address with one of these codes.
meeting-pin-participant = Participant code
meeting-pin-host = Host code
meeting-report = Report of the sessions
meeting-report-who = Participant
meeting-report-when = Present
meeting-report-as = As
meeting-report-host = host
meeting-report-guest = guest

mail-meeting-page = The meeting, and when the time comes the link to join it, are on its page:
mail-report-subject = Report: { $title }
mail-report-intro = Report of the session of “{ $title }”, { $when }:
mail-report-page = Every report is on the meeting's page:
profile-email = E-mail address
profile-email-intro = Optional: you will receive invitations to meetings there, and the reports of those you organize. It is shown to no one.
profile-email-label = Your address
profile-email-hint = Leave empty to receive nothing.
profile-email-saved = E-mail address saved.
profile-email-error = This e-mail address is not valid.

meeting-room-day-of = Day of { $date }
meeting-room-days = Days
meeting-room-previous-day = Previous day
meeting-room-next-day = Next day
meeting-room-this-week = The whole week
meeting-room-free-times = Free between 7:00 and 20:00
meeting-room-no-free-time = The room is not free between 7:00 and 20:00.

meeting-field-parents = Parents
meeting-field-parents-hint = The parents of your classes' pupils; they join the meeting from their dashboard. Not in a staff-only room.
meeting-parent-of = { $name } (parent of { $children })
dash-meetings-when = { $title }, { $when }
meeting-field-parents-other = Also invite parents of a class
meeting-field-parents-show = Show its parents
guest-throttled = { $minutes ->
    [one] Too many requests from this address: try again in 1 minute.
   *[other] Too many requests from this address: try again in { $minutes } minutes.
}

recording-title = Recordings
recording-intro = { $days ->
    [one] Hosts may record this conference's sound from its room; everyone there is told for as long as it runs. Recordings are kept 1 day, then deleted.
   *[other] Hosts may record this conference's sound from its room; everyone there is told for as long as it runs. Recordings are kept { $days } days, then deleted.
}
recording-none = No recording.
recording-line = { $when }, started by { $by }
recording-size = { $mb } MB
recording-running = in progress
recording-cut-short = cut short by a server stop
recording-download = Download (Ogg Opus)
recording-delete = Delete
recording-delete-label = Delete the recording of { $when }
recording-error-running = This recording is in progress: stop it from the room before deleting it.
room-record = Record
room-error-not_recordable = This meeting cannot be recorded.
room-error-record_failed = The recording could not start; the administrator will find why in the server's log.
room-error-no_media = The media server is not running: the room has neither sound nor picture.

## Homework diary
nav-homework = Homework
homework-title = Homework
homework-new-link = Set homework
homework-none = Nothing to do for now.
homework-none-for-you = The homework diary is for pupils, their parents and their teachers.
homework-my-classes = My classes
homework-for-day = For { $date }
homework-due-at = { $date } at { $time }
homework-minutes = { $minutes ->
    [one] about 1 minute
   *[other] about { $minutes } minutes
}
homework-published-on = published on { $when }
homework-status-handed-in = handed in
homework-status-to-hand-in = to hand in
homework-status-done = done
homework-status-not-done = not done yet
homework-status-returned = handed in, marked
homework-status-late = handed in late on { $when }
homework-status-handed-in-on = handed in on { $when }
homework-status-not-handed-in = not handed in yet
homework-done-yes = Done ✓ (unmark)
homework-done-no = Mark as done
homework-new-title = Set homework
homework-new-no-class = You have no class or group in your timetable: the school office records it.
homework-new-submit = Publish the homework
homework-field-class = Class or group, and subject
homework-field-class-pick = Choose…
homework-field-set-on = Lesson of
homework-field-instructions = Instructions
homework-field-due = For
homework-field-due-time = at
homework-field-minutes = Estimated time, in minutes (optional)
homework-field-publish = Publication
homework-field-publish-hint = Leave empty to publish now; otherwise pupils and their parents see it from then on.
homework-field-publish-date = On
homework-field-publish-time = at
homework-field-hand-in = Handing in
homework-field-hand-in-yes = To hand in on Préau (files or text)
homework-field-late = Accept late work (it will be flagged)
homework-field-files = Attached documents (optional)
files-hint = Up to 10 files, { $max } in all: PDF, images, office documents (OpenDocument, Word, Excel, PowerPoint), text, audio or MP4 video.
files-size-kb = { $kb } kB
files-size-mb = { $mb } MB
files-error-count = { $max } files at most: the others were not taken.
files-error-name = The file name “{ $name }” cannot be used.
files-error-empty = The file “{ $name }” is empty.
files-error-kind = The file “{ $name }” is not of an accepted kind (PDF, image, office document, text, audio, MP4 video): its content was checked, not only its name.
homework-error-class = Choose one of your classes or groups, with its subject.
homework-error-set-on = The lesson's date is not valid.
homework-error-due = The "for" date is not valid.
homework-error-due-time = The time it is due is not valid.
homework-error-minutes = The estimated time is from 1 to 600 minutes.
homework-error-publish = The publication date is not valid.
homework-error-instructions = Instructions are required.
homework-error-too-long = The text is too long.
homework-error-due-before = Homework must be for the day of the lesson or later.
homework-error-due-far = The "for" date is more than a year away.
homework-error-publish-after = Publication must come before the time it is due.
homework-error-text = The text is too long (10,000 characters at most).
homework-error-nothing = Attach a file or write a text before handing in.
homework-error-feedback = Write a comment or attach a file.
homework-page-title = { $subject } ({ $class })
homework-due = For
homework-estimate = Estimated time
homework-set-by = Set by
homework-hand-in = Handing in
homework-hand-in-on-time = to hand in on Préau before the time; no late work accepted
homework-hand-in-late-ok = to hand in on Préau; late work is accepted and flagged
homework-instructions = Instructions
homework-my-work = My work
homework-field-text = Text (optional)
homework-field-work-files = Files
homework-hand-in-submit = Hand in my work
homework-hand-in-again = Hand in again (replaces the previous one)
homework-hand-in-closed = The time it was due has passed and this homework takes no late work.
homework-hand-in-late = The time it was due has passed: your work will be flagged late.
homework-hand-in-returned = The teacher has already marked your work: it can no longer be replaced.
homework-hand-in-none = This homework is not handed in on Préau.
homework-work-when = Handed in on
homework-late = late
homework-work-text = Text
homework-work-files = Files
homework-feedback = Feedback
homework-returned-on = Marked on { $when }
homework-class-work = Handed in
homework-pupil = Pupil
homework-state = State
homework-back-list = Back to homework
homework-work-of = Work of { $name }
homework-feedback-give = Mark
homework-feedback-again = Change the feedback
homework-field-feedback = Comment
homework-field-feedback-files = Marked files (optional)
homework-feedback-submit = Return the feedback
room-error-record_limit = This session has had 20 recordings already: there will be no more.
refused-title = Nothing was saved
refused-back = Back

## Messaging
nav-messages = Messages
nav-rules = Communication rules
messages-title = Messages
messages-archive-title = Archived messages
messages-new-link = Write a message
messages-inbox-link = Inbox
messages-archive-link = Archived messages
messages-unread = { $count ->
    [0] No unread message.
    [one] 1 unread message.
   *[other] { $count } unread messages.
}
messages-new-count = { $count ->
    [one] 1 new
   *[other] { $count } new
}
messages-none = No conversation.
messages-new-title = Write a message
messages-field-to = Recipients
messages-field-search = Find a person
messages-field-search-hint = Name or login; then tick the people found. Attachments are chosen when sending.
messages-search = Search
messages-to-divisions = Write to a whole class, or to its parents
messages-division = Class
messages-division-pupils = Pupils
messages-division-parents = Parents
messages-division-pupils-of = The pupils of { $name }
messages-division-parents-of = The parents of { $name }
messages-nobody = The school's communication rules let you write to no one for now; you can answer messages you receive.
messages-to-children = My children
messages-to-children-teachers = My children's teachers
messages-to-parents = The parents of my children's classes
messages-to-teachers = My teachers
messages-to-classmates = My classmates
messages-to-office = School office and management
messages-field-subject = Subject
messages-field-body = Message
messages-field-files = Attachments (optional)
messages-send = Send
messages-error-subject = Give a subject of one line, 200 characters at most.
messages-error-body = Write a message (10,000 characters at most).
messages-error-nobody = Choose at least one recipient.
messages-error-too-many = { $max } recipients at most.
messages-refused-intro = Your message was not sent: the school's communication rules do not allow these recipients.
messages-refused-unknown = “{ $name }” is not a person of the school.
messages-refused-unreachable = { $name } cannot receive messages.
messages-refused-no-relation = { $name }: you may write to the teachers of your classes (or your children's) and the school office, not to this person.
messages-refused-rule = { $name }: the school has not opened this way (“{ $rule }”).
messages-refused-division = You may not write to the whole class { $name }.
messages-with = With { $names }
messages-reply = Reply
messages-reply-send = Send the reply
messages-archive = Archive the conversation
messages-unarchive = Back to the inbox
messages-back = Back to messages
messages-rule-pupils-to-teachers = Pupils write to the teachers of their classes and groups
messages-rule-pupils-to-classmates = Pupils write to the pupils of their classes and groups
messages-rule-pupils-to-staff = Pupils write to the school office and management
messages-rule-parents-to-teachers = Parents write to their children's teachers
messages-rule-parents-to-staff = Parents write to the school office and management
messages-rule-parents-to-parents = Parents write to the other parents of their children's classes
rules-title = Communication rules
rules-intro = Teachers and staff write to everyone; anyone may answer the conversations they are part of. Choose what pupils and parents may write.
rules-legend = Who may write to whom
rules-save = Save the rules
rules-saved = Rules saved.
homework-feedback-stale = The pupil handed in a new version since you opened their work: read it before marking.

## Timetable
nav-timetable = Timetable
dash-timetable = This week's timetable
timetable-title = Timetable
timetable-week-of = Week of { $date }
timetable-previous = ← Previous week
timetable-next = Next week →
timetable-no-lesson = No lesson.
timetable-room = room { $room }
timetable-cancelled = lesson cancelled
timetable-virtual = as a virtual class
timetable-join = Join the virtual class
timetable-cancel = Cancel this lesson
timetable-make-virtual = Hold as a virtual class
timetable-restore = Restore the lesson
timetable-admin-title = The school's timetable
timetable-errors-intro = Nothing was saved:
timetable-import = Import the timetable
timetable-import-intro = A CSV file (semicolon-separated, UTF-8), one line per course: subject (code or name), teacher (login), class or group (name), room, day (lundi to samedi), start, end, week (empty, A or B; A = odd ISO weeks). The import replaces the whole timetable, and clears the cancellations and virtual classes already noted; if a line is wrong, nothing is imported and each error is named.
timetable-template = Download the template
timetable-file = CSV file
timetable-import-submit = Import
timetable-imported = { $count ->
    [one] Timetable imported: 1 course.
   *[other] Timetable imported: { $count } courses.
}
timetable-add = Add a course
timetable-add-submit = Add the course
timetable-field-class = Class or group
timetable-field-subject = Subject
timetable-field-teacher = Teacher
timetable-field-day = Day
timetable-field-start = Start
timetable-field-end = End
timetable-field-room = Room
timetable-field-weeks = Weeks
timetable-weeks-all = All
timetable-weeks-a = Week A
timetable-weeks-b = Week B
timetable-courses = Courses
timetable-none = No course yet.
timetable-when = When
timetable-actions = Actions
timetable-delete = Delete
timetable-error-form = Choose a class, a subject, a teacher, a day and valid hours.
timetable-error-order = The end must come after the start.
timetable-error-file = Choose one CSV file, in UTF-8.
timetable-csv-line = Line { $line }: { $reason }
timetable-csv-empty = the file is empty
timetable-csv-header = the first line must be “matiere;professeur;classe;salle;jour;debut;fin;semaine” (read: “{ $value }”)
timetable-csv-too-long = the file has more than 5,000 lines
timetable-csv-columns = 8 columns are needed (read: “{ $value }”)
timetable-csv-control = control characters are not allowed
timetable-csv-subject = the subject is missing
timetable-csv-teacher = the teacher is missing
timetable-csv-class = the class or group is missing
timetable-csv-day = unknown day “{ $value }” (lundi to samedi)
timetable-csv-time = invalid time “{ $value }” (for example 08:00 or 8h30)
timetable-csv-order = the end must come after the start ({ $value })
timetable-csv-week = unknown week “{ $value }” (empty, A or B)
timetable-csv-room = room name too long “{ $value }” (40 characters at most)
timetable-csv-unknown-subject = unknown subject “{ $value }”
timetable-csv-unknown-teacher = no teacher has the login “{ $value }”
timetable-csv-unknown-class = no class or group is called “{ $value }”

## Announcements
nav-announcements = News
announcements-title = News
announcements-shown = Now
announcements-none = No news.
announcements-to-all = the whole school
announcements-meta = { $author }, for { $to }
announcements-until = until { $date }
announcements-publish = Publish news
announcements-field-to = For
announcements-field-title = Title
announcements-field-body = Text
announcements-field-from = From
announcements-field-until = to
announcements-submit = Publish
announcements-mine = My news
announcements-withdraw = Withdraw
announcements-withdraw-label = Withdraw “{ $title }”
announcements-error-title = Give a title of one line, 200 characters at most.
announcements-error-body = Write the text (5,000 characters at most).
announcements-error-period = Give a valid period: ending on or after its first day, within a year.

## Resources
nav-resources = Resources
resources-title = Class resources
resources-none = No class or subject for you here.
resources-root = Documents
resources-empty = No document.
resources-rename = Rename
resources-rename-label = New name of “{ $name }”
resources-delete = Delete
resources-delete-label = Delete “{ $name }”
resources-delete-folder = Delete the folder
resources-delete-folder-label = Delete the folder “{ $name }” and its documents
resources-add = Add documents
resources-field-folder = Folder
resources-field-folder-hint = An existing or new folder (80 characters at most); empty: the subject's documents. Without a file, the folder is made empty.
resources-field-files = Files
resources-quota = The school uses { $used } of { $quota }.
resources-add-submit = Add
resources-back = Back to resources
resources-error-folder = The folder's name is too long or holds forbidden characters (/, \ or control).
resources-error-quota = The school's space is not enough: { $used } used of { $quota }. Nothing was added; delete documents or ask the administrator for a larger quota.

## Notifications
nav-notifications = Notifications
notifications-title = Notifications
notifications-none = No notification.
notifications-new = new
notification-homework = Homework: { $label }
notification-message = Message: { $label }
notification-feedback = Work marked: { $label }
notifications-digest = Daily digest by e-mail
notifications-digest-label = Receive each day, around 5 pm, an e-mail summing up unread notifications
notifications-digest-hint = One e-mail a day at most, and only if there is something new.
notifications-digest-no-email = First give an e-mail address in “My account”.
notifications-digest-save = Save
mail-digest-subject = Préau: your notifications of the day
mail-digest-intro = Here is what is new for you on Préau:
mail-digest-outro = You receive this digest because it is on in your notifications:

## Search
nav-search = Search
search-title = Search
search-label = In my homework, my classes' resources and my messages
search-submit = Search
search-homework = Homework
search-resources = Resources
search-messages = Messages
search-none = Nothing found.
timetable-content = What the lesson covered
timetable-content-write = Write what the lesson covered
timetable-content-save = Save
timetable-content-too-long = What the lesson covered is too long (5,000 characters at most).
nav-timetable-admin = Timetable management
homework-edit-title = Change the homework
homework-edit-submit = Save the changes
homework-edit-link = Change this homework
homework-delete = Delete this homework
homework-delete-handed-in = Pupils have already handed in this homework: it can no longer be deleted (change it instead).
