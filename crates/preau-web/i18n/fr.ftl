# Préau — catalogue français (langue par défaut).

skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-dashboard = Tableau de bord
nav-directory = Annuaire
nav-profile = Mon compte
logout = Se déconnecter
footer-tagline = la continuité pédagogique, hébergée par l'établissement
lang-label = Langue
save = Enregistrer
actions = Actions
group = groupe
academie = académie de

role-pupil = Élève
role-parent = Responsable légal
role-teacher = Professeur
role-staff = Vie scolaire
role-principal = Chef d'établissement
role-admin = Administrateur
role-guest = Invité

count-pupil = { $count ->
    [one] élève
   *[other] élèves
}
count-parent = { $count ->
    [one] responsable légal
   *[other] responsables légaux
}
count-teacher = { $count ->
    [one] professeur
   *[other] professeurs
}
count-staff = { $count ->
    [one] personnel de vie scolaire
   *[other] personnels de vie scolaire
}
count-principal = { $count ->
    [one] personnel de direction
   *[other] personnels de direction
}
count-admin = { $count ->
    [one] administrateur
   *[other] administrateurs
}
count-guest = { $count ->
    [one] invité
   *[other] invités
}

weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
datetime = { $date } à { $time }

login-title = Connexion
login-intro = Connectez-vous avec l'identifiant et le mot de passe fournis par votre établissement.
login-login = Identifiant
login-password = Mot de passe
login-submit = Se connecter
login-failed = Identifiant ou mot de passe incorrect.
login-disabled = Ce compte est désactivé. Adressez-vous au secrétariat de l'établissement.
login-throttled = { $minutes ->
    [one] Trop de tentatives de connexion. Réessayez dans une minute.
   *[other] Trop de tentatives de connexion. Réessayez dans { $minutes } minutes.
}
login-forgot = Mot de passe oublié ? L'administrateur de l'établissement peut le réinitialiser.
logout-done = Vous êtes déconnecté(e).

dash-hello = Bonjour { $name }
dash-children = Mes enfants
dash-no-children = Aucun élève n'est rattaché à votre compte. Adressez-vous au secrétariat de l'établissement.
dash-today = Aujourd'hui
dash-today-empty = Pas de cours aujourd'hui.
dash-homework = Travail à faire
dash-homework-empty = Rien à faire pour le moment.
dash-homework-all = Tout le travail à faire
dash-meetings = Prochaines réunions
dash-meetings-empty = Aucune réunion prévue.
dash-my-classes = Mes classes et groupes
dash-no-classes = Aucun service d'enseignement ne vous est attribué.
dash-head-teacher-of = Professeur principal de :
dash-admin = Administration
dash-directory-link = Annuaire des comptes
dash-head-counts = Effectifs
dash-divisions = Classes

col-class-or-group = Classe ou groupe
col-subject = Discipline
col-pupils = Élèves
col-division = Classe
col-level = Niveau
col-head-teacher = Professeur principal
col-name = Nom
col-login = Identifiant
col-roles = Profils
col-status = État

person-login = Identifiant :
person-divisions = Classe
person-parents = Responsables légaux
person-children = Enfants
person-teaching = Enseignements

division-team = Équipe pédagogique
division-no-team = Aucun enseignant n'est encore rattaché à cette classe.
division-roster = { $count ->
    [one] Liste de la classe (1 élève)
   *[other] Liste de la classe ({ $count } élèves)
}

profile-title = Mon compte
profile-language = Langue de l'interface
profile-language-label = Langue
profile-language-auto = Celle de mon navigateur
profile-language-saved = Votre langue a été enregistrée.
profile-password = Changer de mot de passe
profile-password-current = Mot de passe actuel
profile-password-new = Nouveau mot de passe
profile-password-confirm = Confirmer le nouveau mot de passe
profile-password-submit = Changer le mot de passe
profile-password-changed = Votre mot de passe a été changé. Vos autres sessions ont été fermées.
profile-sessions-link = Mes sessions ouvertes
password-rule = Au moins 8 caractères. Une phrase facile à retenir fait un excellent mot de passe.
password-too-short = Le mot de passe doit compter au moins 8 caractères.
password-too-long = Le mot de passe ne peut pas dépasser 1024 caractères.
password-same-as-login = Le mot de passe ne peut pas être l'identifiant.
password-current-wrong = Le mot de passe actuel est incorrect.
password-mismatch = Les deux nouveaux mots de passe ne sont pas identiques.

sessions-title = Mes sessions
sessions-intro = Voici les appareils connectés à votre compte. Fermez une session que vous ne reconnaissez pas, puis changez votre mot de passe.
sessions-device = Appareil
sessions-address = Adresse
sessions-started = Ouverte le
sessions-last = Dernière activité
sessions-this = cette session
sessions-revoke = Fermer
sessions-revoke-label = Fermer la session { $device }
sessions-browser-on = { $browser } sur { $os }
sessions-unknown-device = Appareil inconnu
back-to-profile = Retour à mon compte

dir-title = Annuaire
dir-search-label = Rechercher une personne (nom, prénom ou identifiant)
dir-search = Rechercher
dir-new = Créer un compte
dir-count = { $count ->
    [0] Aucune personne trouvée.
    [one] 1 personne.
   *[other] { $count } personnes.
}
dir-reset = Réinitialiser le mot de passe
dir-reset-label = Réinitialiser le mot de passe de { $name }
dir-disable = Désactiver
dir-enable = Réactiver
dir-disable-label = Désactiver le compte de { $name }
dir-enable-label = Réactiver le compte de { $name }
dir-created = Le compte a été créé.
dir-disabled = Le compte a été désactivé et ses sessions fermées.
dir-enabled = Le compte a été réactivé.
dir-error-self = Vous ne pouvez pas désactiver votre propre compte.
status-active = Actif
status-disabled = Désactivé
pagination = Pages
page-prev = Page précédente
page-next = Page suivante
page-of = Page { $page } sur { $pages }

divdir-title = Classes
divdir-search-label = Rechercher une classe (nom ou niveau)
divdir-count = { $count ->
    [0] Aucune classe trouvée.
    [one] 1 classe.
   *[other] { $count } classes.
}
dash-role-switch = Mes profils
dash-guest = Votre compte d'invité donne accès aux réunions auxquelles vous êtes convié(e) ; aucune n'est prévue pour le moment.

new-title = Créer un compte
new-first-name = Prénom
new-last-name = Nom
new-login = Identifiant
new-login-hint = Facultatif : par défaut prénom.nom, en minuscules, sans accents.
new-role = Profil
new-password = Mot de passe
new-password-hint = Laissez vide pour en générer un, affiché une seule fois. Sinon au moins 8 caractères.
new-submit = Créer le compte
new-error-first-name = Indiquez le prénom (100 caractères au plus).
new-error-last-name = Indiquez le nom (100 caractères au plus).
new-error-role = Choisissez un profil dans la liste.
new-error-login = L'identifiant ne peut contenir que des lettres minuscules sans accents, des chiffres, des points, des tirets et des soulignés (2 à 64 caractères).
new-error-login-taken = L'identifiant « { $login } » est déjà pris : choisissez-en un autre.
new-created = Compte créé : { $name }
new-created-login = Identifiant : { $login }. Mot de passe :
form-has-errors = Le formulaire contient des erreurs :

reset-title = Mot de passe de { $name }
reset-submit = Réinitialiser le mot de passe
reset-done = Le mot de passe de { $login } a été changé et ses sessions fermées. Nouveau mot de passe :
reset-give-once = Transmettez-le à la personne : il ne sera plus affiché.
reset-as-typed = (celui que vous avez saisi)
back-to-directory = Retour à l'annuaire

error-code = Code
error-request-id = Référence de la requête :
error-home = Retour à l'accueil
error-403-title = Accès refusé
error-403-text = Vous n'avez pas le droit de consulter cette page. Si vous pensez que c'est une erreur, adressez-vous à l'administration de l'établissement.
error-csrf-title = Formulaire expiré
error-csrf-text = Ce formulaire a expiré ou ne vient pas de Préau. Revenez à la page précédente, rechargez-la et recommencez.
error-404-title = Page introuvable
error-404-text = Cette page n'existe pas ou plus. Vérifiez l'adresse.
error-405-title = Action impossible
error-405-text = Cette adresse n'accepte pas cette action.
error-413-title = Envoi trop volumineux
error-413-text = Les données envoyées dépassent la taille autorisée.
error-429-title = Trop de requêtes
error-429-text = Trop de requêtes en peu de temps. Patientez un instant puis réessayez.
error-400-title = Requête invalide
error-400-text = Les données envoyées sont incomplètes ou mal formées. Revenez à la page précédente et recommencez.
error-500-title = Erreur du serveur
error-500-text = Une erreur inattendue s'est produite. Si elle se répète, communiquez la référence ci-dessous à l'administrateur.
error-bad-language = Cette langue n'est pas disponible.

dash-rooms = Classes virtuelles
dash-rooms-empty = Aucune classe virtuelle pour le moment.
col-room = Classe virtuelle
room-enter = Entrer
room-enter-label = Entrer dans la classe virtuelle { $name }
room-new-link = Ouvrir une classe virtuelle ponctuelle
room-page-title = Classe virtuelle · { $title }
room-kind-division = Classe virtuelle de la classe
room-kind-group = Classe virtuelle du groupe
room-kind-adhoc = Classe virtuelle ponctuelle
room-you-host = vous animez cette classe virtuelle
room-share-label = Lien à partager
room-share-hint-adhoc = Toute personne de l'établissement qui a un compte Préau peut entrer avec ce lien.
room-share-hint-class = Seuls les élèves et les professeurs de la classe ou du groupe, la vie scolaire et la direction peuvent entrer ; les élèves trouvent aussi ce lien sur leur tableau de bord.
room-needs-js = La classe virtuelle a besoin de JavaScript pour le son et la vidéo : activez-le dans votre navigateur, puis rechargez la page.
room-prejoin-title = Avant d'entrer
room-preview = Aperçu de votre caméra
room-camera = Caméra
room-microphone = Micro
room-device-default = Par défaut
room-join-mic = Micro ouvert en entrant
room-join-cam = Caméra allumée en entrant
room-note-pupil = Vous entrez avec la caméra et le micro coupés ; vous pourrez les activer ensuite si votre professeur vous le demande.
room-note-others = Les élèves entrent avec la caméra et le micro coupés.
room-join = Rejoindre
room-in-room = En classe
room-quality-waiting = Connexion : en attente
room-controls = Commandes de la classe virtuelle
room-mic = Micro
room-cam = Caméra
room-screen = Partager l'écran
room-hand = Lever la main
room-audio-only = Audio seul
room-leave = Quitter
room-end = Terminer pour tous
room-participants = Participants
room-hands = Mains levées
room-chat = Discussion
room-chat-label = Votre message
room-chat-send = Envoyer
room-shortcuts = Raccourcis clavier
room-shortcut-mic = couper ou ouvrir le micro
room-shortcut-cam = éteindre ou allumer la caméra
room-shortcut-hand = lever ou baisser la main
room-full-title = Classe virtuelle complète
room-full-text = { $capacity ->
    [one] « { $title } » accueille déjà 1 personne, le maximum prévu. Réessayez dans quelques minutes : une place se libère dès que quelqu'un quitte la classe.
   *[other] « { $title } » accueille déjà { $capacity } personnes, le maximum prévu. Réessayez dans quelques minutes : une place se libère dès que quelqu'un quitte la classe.
}
room-full-retry = Réessayer
room-full-back = Retour au tableau de bord
room-new-title = Ouvrir une classe virtuelle
room-new-intro = Pour une réunion, du soutien ou une séance exceptionnelle : toute personne de l'établissement qui a un compte pourra entrer avec le lien, affiché dans la classe virtuelle une fois ouverte.
room-new-name = Titre
room-new-hint = Par exemple « Soutien de mathématiques, 4e ». 100 caractères au plus.
room-new-submit = Ouvrir la classe virtuelle
room-new-error-title = Indiquez un titre d'une ligne, de 100 caractères au plus.

room-error-bad_message = Message incompris : la page est peut-être trop ancienne, rechargez-la.
room-error-bad_version = Version du protocole inconnue : rechargez la page.
room-error-too_long = Message trop long (1000 caractères au plus).
room-error-not_host = Seul l'animateur de la classe peut faire cela.
room-error-no_guest = Cette personne n'attend plus : quelqu'un d'autre lui a déjà répondu, ou elle est partie.
room-error-audio_only = Une conférence audio ne transmet que le son.
room-error-is_host = On ne retire pas un animateur de la séance.

## Meetings (réunions)
nav-meetings = Réunions
nav-meeting-rooms = Salles de réunion
error-bad-date = Cette date n'est pas valide.
meetings-title = Réunions
meetings-agenda = Mes prochaines réunions
meetings-none = Aucune réunion prévue.
meetings-rooms = Salles de réunion
meeting-rooms-none = Aucune salle de réunion n'a encore été créée par l'administration.
meeting-rooms-admin-title = Salles de réunion
meeting-rooms-admin-intro = Les salles que le personnel peut réserver : visioconférence, réunions réservées au personnel, conférences audio.
meeting-room-new = Ajouter une salle
meeting-room-create = Ajouter la salle
meeting-col-kind = Type
meeting-col-capacity = Capacité
meeting-room-capacity = { $n ->
    [one] { $n } personne
   *[other] { $n } personnes
}
meeting-room-kind-video = Visioconférence
meeting-room-kind-staff_only = Réservée au personnel
meeting-room-kind-audio_conference = Conférence audio
meeting-room-error-name = Indiquez un nom d'une ligne, de 200 caractères au plus.
meeting-room-error-kind = Choisissez un type de salle.
meeting-room-error-capacity = La capacité va de 1 à { $max } personnes.
meeting-room-error-name-taken = Une salle s'appelle déjà « { $name } ».
meeting-room-week-of = Semaine du { $date }
meeting-room-weeks = Semaines
meeting-room-previous = Semaine précédente
meeting-room-next = Semaine suivante
meeting-room-free = libre
meeting-new-link = Réserver une salle
meeting-new-title = Réserver une salle de réunion
meeting-field-title = Titre
meeting-field-room = Salle
meeting-field-date = Date
meeting-field-start = Début
meeting-field-end = Fin
meeting-field-repeat = Répétition
meeting-field-weekly = Chaque semaine
meeting-field-until = Jusqu'au (inclus)
meeting-field-except = Sauf les
meeting-field-except-hint = Dates séparées par des virgules, par exemple 27/10/2026, 03/11/2026.
meeting-field-invitees = Participants
meeting-field-guests = Invités extérieurs (adresses électroniques)
meeting-field-guests-hint = Une adresse par ligne. Ils rejoindront la réunion par un lien.
meeting-submit = Réserver
meeting-organizer = Organisé par
meeting-occurrences = Séances
meeting-no-invitees = Personne d'autre n'est invité.
meeting-guest = invité extérieur
meeting-cancelled = Cette réunion est annulée.
meeting-download = Télécharger l'invitation (iCalendar)
meeting-download-cancel = Télécharger l'annulation (iCalendar)
meeting-cancel = Annuler la réunion
meeting-repeat-weekly = Chaque semaine jusqu'au { $until }
meeting-error-room = Choisissez une salle de l'établissement.
meeting-error-date = Indiquez la date et les heures (et les dates de répétition) dans un format valide.
meeting-error-invitee = Un des participants choisis n'existe pas ou ne peut pas être invité.
meeting-error-email = Adresse électronique invalide : { $address }
meeting-error-too-many-guests = { $max } invités extérieurs au plus.
meeting-error-staff-only-guests = Une salle réservée au personnel n'accueille ni parents ni invités extérieurs.
meeting-error-over-capacity = La salle accueille au plus { $capacity } personnes ; il en faudrait { $wanted }, organisateur compris.
meeting-error-clash-room = La salle est déjà réservée pour « { $title } » le { $when }.
meeting-error-clash-organizer = Vous organisez déjà « { $title } » le { $when }.
meeting-error-title-missing = Le titre est obligatoire.
meeting-error-title-too-long = Le titre est trop long (200 caractères au plus).
meeting-error-title-control = Le titre contient des caractères de contrôle.
meeting-error-end-not-after-start = La fin doit être après le début.
meeting-error-too-long = Une réunion dure au plus 12 heures.
meeting-error-in-the-past = Cet horaire est déjà passé.
meeting-error-too-far-ahead = La date est trop lointaine (400 jours au plus).
meeting-error-recurrence-ends-before-start = La fin de la répétition doit être après le premier jour.
meeting-error-recurrence-without-end = Une réunion répétée chaque semaine doit avoir une date de fin.
meeting-error-too-many-occurrences = Une réservation compte au plus 52 séances.
meeting-error-no-occurrence = Toutes les séances sont exclues.
meeting-error-bad-local-time = Cet horaire n'existe pas ce jour-là (changement d'heure).
meeting-error-bad-capacity = La capacité va de 1 à 300 personnes.
meeting-error-clash-room-private = La salle est déjà réservée le { $when }.
meeting-room-busy = Réservé ({ $organizer })
title-with-errors = Erreur : { $title }
meeting-feed-title = Mon agenda dans mon calendrier
meeting-feed-intro = Une adresse secrète, à ajouter comme abonnement dans Thunderbird, Zimbra ou le calendrier d'un téléphone : vos réunions y apparaissent et s'y mettent à jour.
meeting-feed-since = Une adresse d'abonnement existe depuis le { $date }.
meeting-feed-make = Créer l'adresse d'abonnement
meeting-feed-renew = Créer une nouvelle adresse (l'ancienne cesse de fonctionner)
meeting-feed-revoke = Révoquer l'adresse
meeting-feed-made = Voici votre adresse d'abonnement. Copiez-la maintenant : elle ne sera plus affichée.
meeting-feed-url = Adresse d'abonnement (iCalendar)
meeting-feed-hint = Gardez-la pour vous : quiconque la connaît voit vos réunions. Vous pouvez la révoquer à tout moment.
meeting-feed-back = Retour aux réunions
meeting-edit-title = Modifier la réunion
meeting-edit-link = Modifier la réunion
meeting-error-cancelled = Cette réunion est annulée : elle ne peut plus être modifiée.
meeting-now-link = Démarrer une réunion maintenant (classe virtuelle ponctuelle, lien immédiat)

room-lock = Verrouiller
room-lobby = Salle d'attente
room-lobby-empty = Personne n'attend.
meeting-live-join = Rejoindre la réunion
meeting-live-opens = La salle de la réunion ouvre 15 minutes avant le début de chaque séance et ferme 30 minutes après la fin.
meeting-live-guest-link = Lien pour les invités extérieurs
meeting-live-share-hint = Donnez ce lien aux invités extérieurs : ils indiqueront leur nom et attendront en salle d'attente que vous les fassiez entrer. Il cesse de fonctionner 30 minutes après la fin de la dernière séance.
meeting-live-closed-title = Réunion fermée
meeting-live-cancelled = Cette réunion a été annulée.
meeting-live-over = Cette réunion est terminée.
meeting-live-not-yet = La salle n'est pas encore ouverte : elle ouvrira 15 minutes avant la prochaine séance, le { $when }.
meeting-live-full = { $capacity ->
    [one] La salle accueille déjà 1 personne, sa capacité. Réessayez quand quelqu'un en sera sorti.
   *[other] La salle accueille déjà { $capacity } personnes, sa capacité. Réessayez quand quelqu'un en sera sorti.
}
meeting-live-locked-title = Réunion verrouillée
meeting-live-locked = L'organisateur a verrouillé la réunion : personne d'autre ne peut entrer pour le moment.
meeting-live-back = Retour à la réunion
guest-link-title = Lien d'invitation
guest-link-invalid = Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en entier, ou demandez-en un nouveau à la personne qui vous a invité.
guest-link-expired = Ce lien d'invitation a expiré : la réunion est terminée ou annulée.
guest-link-replaced = Ce lien d'invitation a été remplacé par un nouveau : demandez-le à la personne qui vous a invité.
guest-title = Rejoindre « { $title } »
guest-intro = Vous êtes invité à cette réunion. Indiquez votre nom : la personne qui l'organise vous fera entrer.
guest-when = Séance :
guest-name-label = Votre nom
guest-name-hint = Tel que les participants le verront, 60 caractères au plus.
guest-name-error = Indiquez votre nom, sur une ligne, en 60 caractères au plus.
guest-submit = Demander à entrer
guest-privacy = Préau ne garde ni votre nom ni votre adresse : ils servent le temps de la réunion.
guest-kind = Réunion, en invité
guest-note = Vous attendrez en salle d'attente que la personne qui organise la réunion vous fasse entrer.
guest-name = { $name } (invité)

mail-hello = Bonjour,
mail-meeting-invite-subject = Invitation : { $title }
mail-meeting-update-subject = Réunion modifiée : { $title }
mail-meeting-cancel-subject = Réunion annulée : { $title }
mail-meeting-invite = { $organizer } vous invite à la réunion « { $title } ».
mail-meeting-cancelled = La réunion « { $title } », organisée par { $organizer }, est annulée, ou vous n'y êtes plus invité.
mail-meeting-when = Quand : { $when } (heure de Paris)
mail-meeting-series = { $first }, puis chaque semaine ({ $count } séances)
mail-meeting-link = Pour rejoindre la réunion, ouvrez ce lien le moment venu, indiquez votre nom et patientez : l'organisateur vous fera entrer.
mail-meeting-link-hint = Ce lien est personnel à la réunion ; il fonctionne jusqu'au { $until }.
mail-meeting-ics = L'invitation est jointe (fichier .ics) : ouvrez-la pour l'ajouter à votre agenda.
meeting-mail-sent = invitation envoyée par courriel le { $when }
meeting-mail-pending = courriel en attente d'envoi
meeting-mail-failed = l'envoi du courriel a échoué ({ $error }) ; nouvel essai prévu
meeting-mail-given-up = l'envoi du courriel a échoué ({ $error }) ; abandonné
meeting-mail-off = Les invitations ne sont pas envoyées par courriel sur ce serveur : transmettez aux invités extérieurs le lien ci-dessus ou le fichier d'invitation.

conference-title = Rejoindre une conférence audio
conference-intro = Saisissez le code reçu avec l'invitation et votre nom. Le code de l'animateur ouvre la conférence en tant qu'animateur.
conference-pin-label = Code de la conférence
conference-pin-hint = De 6 à 9 chiffres ; les espaces ne comptent pas.
conference-submit = Rejoindre
conference-pin-format = Le code a de 6 à 9 chiffres.
conference-pin-wrong = Ce code n'ouvre aucune conférence. Vérifiez-le : après plusieurs codes erronés, il faudra patienter.
conference-throttled = { $minutes ->
    [one] Trop de codes erronés depuis cette adresse : réessayez dans 1 minute.
   *[other] Trop de codes erronés depuis cette adresse : réessayez dans { $minutes } minutes.
}
conference-kind = Conférence audio
room-note-audio = Conférence audio : seul le micro sert ; personne n'est filmé.
room-mute-all = Couper tous les micros
meeting-pins = Codes de la conférence
meeting-pins-intro = On rejoint la conférence depuis l'adresse /conference de Préau avec l'un de ces codes.
meeting-pin-participant = Code participant
meeting-pin-host = Code animateur
meeting-report = Compte rendu des séances
meeting-report-who = Participant
meeting-report-when = Présence
meeting-report-as = Qualité
meeting-report-host = animateur
meeting-report-guest = invité

mail-meeting-page = La réunion, et le moment venu le lien pour la rejoindre, sont sur sa page :
mail-report-subject = Compte rendu : { $title }
mail-report-intro = Compte rendu de la séance de « { $title } », { $when } :
mail-report-page = Tous les comptes rendus sont sur la page de la réunion :
profile-email = Adresse électronique
profile-email-intro = Facultative : vous y recevrez les invitations aux réunions et les comptes rendus de celles que vous organisez. Elle n'est montrée à personne.
profile-email-label = Votre adresse
profile-email-hint = Laissez vide pour ne rien recevoir.
profile-email-saved = Adresse électronique enregistrée.
profile-email-error = Cette adresse électronique n'est pas valide.

meeting-room-day-of = Journée du { $date }
meeting-room-days = Jours
meeting-room-previous-day = Jour précédent
meeting-room-next-day = Jour suivant
meeting-room-this-week = Toute la semaine
meeting-room-free-times = Libre entre 7 h et 20 h
meeting-room-no-free-time = La salle n'est pas libre entre 7 h et 20 h.

meeting-field-parents = Parents d'élèves
meeting-field-parents-hint = Les parents des élèves de vos classes ; ils rejoignent la réunion depuis leur tableau de bord. Pas dans une salle réservée au personnel.
meeting-parent-of = { $name } (parent de { $children })
dash-meetings-when = { $title }, { $when }
meeting-field-parents-other = Inviter aussi des parents d'une classe
meeting-field-parents-show = Afficher ses parents
guest-throttled = { $minutes ->
    [one] Trop de demandes depuis cette adresse : réessayez dans 1 minute.
   *[other] Trop de demandes depuis cette adresse : réessayez dans { $minutes } minutes.
}

recording-title = Enregistrements
recording-intro = { $days ->
    [one] Les animateurs peuvent enregistrer le son de cette conférence depuis sa salle ; chacun y est averti pendant tout l'enregistrement. Les enregistrements sont gardés 1 jour, puis supprimés.
   *[other] Les animateurs peuvent enregistrer le son de cette conférence depuis sa salle ; chacun y est averti pendant tout l'enregistrement. Les enregistrements sont gardés { $days } jours, puis supprimés.
}
recording-none = Aucun enregistrement.
recording-line = { $when }, lancé par { $by }
recording-size = { $mb } Mo
recording-running = en cours
recording-cut-short = interrompu par un arrêt du serveur
recording-download = Télécharger (Ogg Opus)
recording-delete = Supprimer
recording-delete-label = Supprimer l'enregistrement du { $when }
recording-error-running = Cet enregistrement est en cours : arrêtez-le depuis la salle avant de le supprimer.
room-record = Enregistrer
room-error-not_recordable = Cette réunion ne peut pas être enregistrée.
room-error-record_failed = L'enregistrement n'a pas pu démarrer ; l'administrateur en trouvera la raison dans le journal du serveur.
room-error-no_media = Le serveur multimédia ne fonctionne pas : la salle n'a ni son ni image.

## Homework diary (cahier de textes)
nav-homework = Travail à faire
homework-title = Travail à faire
homework-new-link = Donner du travail
homework-none = Rien à faire pour le moment.
homework-none-for-you = Le cahier de textes concerne les élèves, leurs parents et leurs professeurs.
homework-my-classes = Mes classes
homework-for-day = Pour le { $date }
homework-due-at = { $date } à { $time }
homework-minutes = { $minutes ->
    [one] environ 1 minute
   *[other] environ { $minutes } minutes
}
homework-published-on = publié le { $when }
homework-status-handed-in = rendu
homework-status-to-hand-in = à rendre
homework-status-done = fait
homework-status-not-done = pas encore fait
homework-status-returned = rendu, corrigé
homework-status-late = rendu en retard le { $when }
homework-status-handed-in-on = rendu le { $when }
homework-status-not-handed-in = pas encore rendu
homework-done-yes = Fait ✓ (ne plus le marquer fait)
homework-done-no = Marquer comme fait
homework-new-title = Donner du travail
homework-new-no-class = Vous n'avez aucune classe ni aucun groupe dans votre service : le secrétariat l'enregistre.
homework-new-submit = Publier le travail
homework-field-class = Classe ou groupe, et matière
homework-field-class-pick = Choisir…
homework-field-set-on = Séance du
homework-field-instructions = Consignes
homework-field-due = Pour le
homework-field-due-time = à
homework-field-minutes = Durée estimée, en minutes (facultatif)
homework-field-publish = Publication
homework-field-publish-hint = Laissez vide pour publier tout de suite ; sinon les élèves et leurs parents le verront à partir de ce moment.
homework-field-publish-date = Le
homework-field-publish-time = à
homework-field-hand-in = Remise
homework-field-hand-in-yes = À rendre sur Préau (fichiers ou texte)
homework-field-late = Accepter un rendu en retard (il sera signalé)
homework-field-files = Documents joints (facultatif)
files-hint = Jusqu'à 10 fichiers, { $max } en tout : PDF, images, documents de bureautique (OpenDocument, Word, Excel, PowerPoint), texte, audio ou vidéo MP4.
files-size-kb = { $kb } ko
files-size-mb = { $mb } Mo
files-error-count = { $max } fichiers au plus : les suivants n'ont pas été pris.
files-error-name = Le nom du fichier « { $name } » n'est pas utilisable.
files-error-empty = Le fichier « { $name } » est vide.
files-error-kind = Le fichier « { $name } » n'est pas d'un type accepté (PDF, image, document de bureautique, texte, audio, vidéo MP4) : son contenu a été vérifié, pas seulement son nom.
homework-error-class = Choisissez une de vos classes ou un de vos groupes, avec sa matière.
homework-error-set-on = La date de la séance n'est pas valide.
homework-error-due = La date « pour le » n'est pas valide.
homework-error-due-time = L'heure de remise n'est pas valide.
homework-error-minutes = La durée estimée va de 1 à 600 minutes.
homework-error-publish = La date de publication n'est pas valide.
homework-error-instructions = Les consignes sont obligatoires.
homework-error-too-long = Le texte est trop long.
homework-error-due-before = Le travail doit être pour le jour de la séance ou après.
homework-error-due-far = La date « pour le » est à plus d'un an.
homework-error-publish-after = La publication doit précéder la date de remise.
homework-error-text = Le texte est trop long (10 000 caractères au plus).
homework-error-nothing = Joignez un fichier ou écrivez un texte avant de rendre.
homework-error-feedback = Écrivez une appréciation ou joignez un fichier.
homework-page-title = { $subject } ({ $class })
homework-due = Pour le
homework-estimate = Durée estimée
homework-set-by = Donné par
homework-hand-in = Remise
homework-hand-in-on-time = à rendre sur Préau avant l'heure ; pas de retard accepté
homework-hand-in-late-ok = à rendre sur Préau ; un retard est accepté et signalé
homework-instructions = Consignes
homework-my-work = Mon travail
homework-field-text = Texte (facultatif)
homework-field-work-files = Fichiers
homework-hand-in-submit = Rendre mon travail
homework-hand-in-again = Rendre à nouveau (remplace le rendu précédent)
homework-hand-in-closed = L'heure de remise est passée et ce travail n'accepte pas de retard.
homework-hand-in-late = L'heure de remise est passée : votre travail sera signalé en retard.
homework-hand-in-returned = Le professeur a déjà corrigé votre travail : il ne peut plus être remplacé.
homework-hand-in-none = Ce travail ne se rend pas sur Préau.
homework-work-when = Rendu le
homework-late = en retard
homework-work-text = Texte
homework-work-files = Fichiers
homework-feedback = Correction
homework-returned-on = Corrigé le { $when }
homework-class-work = Rendus
homework-pupil = Élève
homework-state = État
homework-back-list = Retour au travail à faire
homework-work-of = Travail de { $name }
homework-feedback-give = Corriger
homework-feedback-again = Modifier la correction
homework-field-feedback = Appréciation
homework-field-feedback-files = Fichiers corrigés (facultatif)
homework-feedback-submit = Rendre la correction
room-error-record_limit = Cette séance a déjà eu 20 enregistrements : il n'y en aura pas d'autre.
refused-title = Rien n'a été enregistré
refused-back = Retour

## Messaging
nav-messages = Messagerie
nav-rules = Règles de communication
messages-title = Messagerie
messages-archive-title = Messages archivés
messages-new-link = Écrire un message
messages-inbox-link = Boîte de réception
messages-archive-link = Messages archivés
messages-unread = { $count ->
    [0] Aucun message non lu.
    [one] 1 message non lu.
   *[other] { $count } messages non lus.
}
messages-new-count = { $count ->
    [one] 1 nouveau
   *[other] { $count } nouveaux
}
messages-none = Aucune conversation.
messages-new-title = Écrire un message
messages-field-to = Destinataires
messages-field-search = Chercher une personne
messages-field-search-hint = Nom, prénom ou identifiant ; cochez ensuite les personnes trouvées. Les fichiers joints sont à choisir au moment d'envoyer.
messages-search = Chercher
messages-to-divisions = Écrire à toute une classe, ou à ses parents
messages-division = Classe
messages-division-pupils = Élèves
messages-division-parents = Parents
messages-division-pupils-of = Les élèves de { $name }
messages-division-parents-of = Les parents de { $name }
messages-nobody = Les règles de communication de l'établissement ne vous permettent d'écrire à personne pour le moment ; vous pouvez répondre aux messages reçus.
messages-to-children = Mes enfants
messages-to-children-teachers = Les professeurs de mes enfants
messages-to-parents = Les parents des classes de mes enfants
messages-to-teachers = Mes professeurs
messages-to-classmates = Mes camarades de classe
messages-to-office = Vie scolaire et direction
messages-field-subject = Objet
messages-field-body = Message
messages-field-files = Fichiers joints (facultatif)
messages-send = Envoyer
messages-error-subject = Indiquez un objet d'une ligne, de 200 caractères au plus.
messages-error-body = Écrivez un message (10 000 caractères au plus).
messages-error-nobody = Choisissez au moins un destinataire.
messages-error-too-many = { $max } destinataires au plus.
messages-refused-intro = Votre message n'est pas parti : les règles de communication de l'établissement ne permettent pas ces destinataires.
messages-refused-unknown = « { $name } » n'est pas une personne de l'établissement.
messages-refused-unreachable = { $name } ne peut pas recevoir de message.
messages-refused-no-relation = { $name } : vous pouvez écrire aux professeurs de vos classes (ou de celles de vos enfants) et à la vie scolaire, pas à cette personne.
messages-refused-rule = { $name } : l'établissement n'a pas ouvert cette possibilité (« { $rule } »).
messages-refused-division = Vous ne pouvez pas écrire à toute la classe { $name }.
messages-with = Avec { $names }
messages-reply = Répondre
messages-reply-send = Envoyer la réponse
messages-archive = Archiver la conversation
messages-unarchive = Remettre dans la boîte de réception
messages-back = Retour à la messagerie
messages-rule-pupils-to-teachers = Les élèves écrivent aux professeurs de leurs classes et groupes
messages-rule-pupils-to-classmates = Les élèves écrivent aux élèves de leurs classes et groupes
messages-rule-pupils-to-staff = Les élèves écrivent à la vie scolaire et à la direction
messages-rule-parents-to-teachers = Les parents écrivent aux professeurs de leurs enfants
messages-rule-parents-to-staff = Les parents écrivent à la vie scolaire et à la direction
messages-rule-parents-to-parents = Les parents écrivent aux autres parents des classes de leurs enfants
rules-title = Règles de communication
rules-intro = Les professeurs et le personnel écrivent à tous ; chacun peut répondre aux conversations dont il fait partie. Choisissez ce que les élèves et les parents peuvent écrire.
rules-legend = Qui peut écrire à qui
rules-save = Enregistrer les règles
rules-saved = Règles enregistrées.
homework-feedback-stale = L'élève a rendu une nouvelle version depuis que vous avez ouvert son travail : relisez-la avant de corriger.

## Timetable
nav-timetable = Emploi du temps
dash-timetable = Emploi du temps de la semaine
timetable-title = Emploi du temps
timetable-week-of = Semaine du { $date }
timetable-previous = ← Semaine précédente
timetable-next = Semaine suivante →
timetable-no-lesson = Pas de cours.
timetable-room = salle { $room }
timetable-cancelled = cours annulé
timetable-virtual = en classe virtuelle
timetable-join = Rejoindre la classe virtuelle
timetable-cancel = Annuler ce cours
timetable-make-virtual = Faire en classe virtuelle
timetable-restore = Rétablir le cours
timetable-admin-title = Emploi du temps de l'établissement
timetable-errors-intro = Rien n'a été enregistré :
timetable-import = Importer l'emploi du temps
timetable-import-intro = Un fichier CSV (séparé par des points-virgules, UTF-8), une ligne par cours : matière (code ou nom), professeur (identifiant), classe ou groupe (nom), salle, jour (lundi à samedi), début, fin, semaine (vide, A ou B ; A = semaines ISO impaires). L'import remplace tout l'emploi du temps, et efface les annulations et classes virtuelles déjà notées ; si une ligne est fausse, rien n'est importé et chaque erreur est indiquée.
timetable-template = Télécharger le modèle
timetable-file = Fichier CSV
timetable-import-submit = Importer
timetable-imported = { $count ->
    [one] Emploi du temps importé : 1 cours.
   *[other] Emploi du temps importé : { $count } cours.
}
timetable-add = Ajouter un cours
timetable-add-submit = Ajouter le cours
timetable-field-class = Classe ou groupe
timetable-field-subject = Matière
timetable-field-teacher = Professeur
timetable-field-day = Jour
timetable-field-start = Début
timetable-field-end = Fin
timetable-field-room = Salle
timetable-field-weeks = Semaines
timetable-weeks-all = Toutes
timetable-weeks-a = Semaine A
timetable-weeks-b = Semaine B
timetable-courses = Cours
timetable-none = Aucun cours pour le moment.
timetable-when = Quand
timetable-actions = Actions
timetable-delete = Supprimer
timetable-error-form = Choisissez une classe, une matière, un professeur, un jour et des heures valides.
timetable-error-order = La fin doit être après le début.
timetable-error-file = Choisissez un seul fichier CSV en UTF-8.
timetable-csv-line = Ligne { $line } : { $reason }
timetable-csv-empty = le fichier est vide
timetable-csv-header = la première ligne doit être « matiere;professeur;classe;salle;jour;debut;fin;semaine » (lu : « { $value } »)
timetable-csv-too-long = le fichier dépasse 5 000 lignes
timetable-csv-columns = il faut 8 colonnes (lu : « { $value } »)
timetable-csv-control = caractères de contrôle interdits
timetable-csv-subject = la matière manque
timetable-csv-teacher = le professeur manque
timetable-csv-class = la classe ou le groupe manque
timetable-csv-day = jour inconnu « { $value } » (lundi à samedi)
timetable-csv-time = heure invalide « { $value } » (par exemple 08:00 ou 8h30)
timetable-csv-order = la fin doit être après le début ({ $value })
timetable-csv-week = semaine inconnue « { $value } » (vide, A ou B)
timetable-csv-room = nom de salle trop long « { $value } » (40 caractères au plus)
timetable-csv-unknown-subject = matière inconnue « { $value } »
timetable-csv-unknown-teacher = aucun professeur n'a l'identifiant « { $value } »
timetable-csv-unknown-class = aucune classe ni aucun groupe ne s'appelle « { $value } »

## Announcements
nav-announcements = Actualités
announcements-title = Actualités
announcements-shown = En ce moment
announcements-none = Aucune actualité.
announcements-to-all = tout l'établissement
announcements-meta = { $author }, pour { $to }
announcements-until = jusqu'au { $date }
announcements-publish = Publier une actualité
announcements-field-to = Pour
announcements-field-title = Titre
announcements-field-body = Texte
announcements-field-from = Du
announcements-field-until = au
announcements-submit = Publier
announcements-mine = Mes actualités
announcements-withdraw = Retirer
announcements-withdraw-label = Retirer « { $title } »
announcements-error-title = Indiquez un titre d'une ligne, de 200 caractères au plus.
announcements-error-body = Écrivez le texte (5 000 caractères au plus).
announcements-error-period = Indiquez une période valide : la fin le jour du début ou après, dans l'année.

## Resources
nav-resources = Ressources
resources-title = Ressources des classes
resources-none = Aucune classe ni matière pour vous ici.
resources-root = Documents
resources-empty = Aucun document.
resources-rename = Renommer
resources-rename-label = Nouveau nom de « { $name } »
resources-delete = Supprimer
resources-delete-label = Supprimer « { $name } »
resources-delete-folder = Supprimer le dossier
resources-delete-folder-label = Supprimer le dossier « { $name } » et ses documents
resources-add = Ajouter des documents
resources-field-folder = Dossier
resources-field-folder-hint = Un dossier existant ou nouveau (80 caractères au plus) ; vide : les documents de la matière. Sans fichier, le dossier est créé vide.
resources-field-files = Fichiers
resources-quota = L'établissement utilise { $used } sur { $quota }.
resources-add-submit = Ajouter
resources-back = Retour aux ressources
resources-error-folder = Le nom du dossier est trop long ou contient des caractères interdits (/, \ ou de contrôle).
resources-error-quota = L'espace de l'établissement ne suffit pas : { $used } utilisés sur { $quota }. Rien n'a été ajouté ; supprimez des documents ou demandez à l'administrateur d'augmenter le quota.

## Notifications
nav-notifications = Notifications
notifications-title = Notifications
notifications-none = Aucune notification.
notifications-new = nouveau
notification-homework = Travail à faire : { $label }
notification-message = Message : { $label }
notification-feedback = Travail corrigé : { $label }
notifications-digest = Résumé quotidien par courriel
notifications-digest-label = Recevoir chaque jour, vers 17 h, un courriel qui résume les notifications non lues
notifications-digest-hint = Un courriel par jour au plus, et seulement s'il y a du nouveau.
notifications-digest-no-email = Indiquez d'abord une adresse électronique dans « Mon compte ».
notifications-digest-save = Enregistrer
mail-digest-subject = Préau : vos notifications du jour
mail-digest-intro = Voici ce qui est nouveau pour vous sur Préau :
mail-digest-outro = Vous recevez ce résumé parce qu'il est activé dans vos notifications :

## Search
nav-search = Rechercher
search-title = Rechercher
search-label = Dans mon travail à faire, les ressources de mes classes et mes messages
search-submit = Rechercher
search-homework = Travail à faire
search-resources = Ressources
search-messages = Messages
search-none = Rien trouvé.
timetable-content = Contenu de la séance
timetable-content-write = Écrire le contenu de la séance
timetable-content-save = Enregistrer
timetable-content-too-long = Le contenu de la séance est trop long (5 000 caractères au plus).
nav-timetable-admin = Gestion de l'emploi du temps
homework-edit-title = Modifier le travail
homework-edit-submit = Enregistrer les modifications
homework-edit-link = Modifier ce travail
homework-delete = Supprimer ce travail
homework-delete-handed-in = Des élèves ont déjà rendu ce travail : il ne peut plus être supprimé (modifiez-le plutôt).
