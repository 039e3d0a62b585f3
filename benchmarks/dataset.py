# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the benchmark's settings rows and write them to a keyspace of the lab's Cassandra.

The rows follow the lab's settings layout (tests/lab/schema.cql), in their own keyspace so that
the lab's tests and seed are not disturbed. Values are JSON as GWS clients write it: UTF-8
names left unescaped, favorites of 250 to 500 bytes, recent contacts of about 150 bytes,
preferences, and 2 % layout settings of 1 to 2 KB that hold JSON inside a string. E-mail
domains and phone numbers are spread like real address books, so a subject's domain or last
digits also occur in other people's data.

A pool of subjects (half e-mail addresses, half valid phone numbers) is drawn first, and a
share of the rows (1 % by default) gets one subject of the pool in one of the written forms the
matcher must find. The subjects are synthetic. They are written to subjects.json in the work
directory, never to the log, with the number of rows that contain each of them.
"""

import json
import logging
import random
import time
from pathlib import Path

LOG = logging.getLogger('bench.dataset')

FIRST_NAMES = ('Olivia', 'Liam', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Ava', 'Elijah', 'Mia', 'Lucas', 'Sofia',
               'Mateo', 'Chloé', 'Hugo', 'Léa', 'Louis', 'Zoë', 'Arthur', 'Inès', 'Jules', 'Freya', 'Oscar',
               'Priya', 'Arjun', 'Mei', 'Kenji', 'Amara', 'Tariq', 'Nadia', 'Lars', 'Ingrid', 'José', 'Lucía',
               'Giulia', 'Anouk', 'Daan', 'Siobhan', 'Aisha', 'Yusuf', 'Elena', 'Paweł', 'Hana', 'Tomás', 'Søren')
LAST_NAMES = ('Bennett', 'Hughes', 'Patel', 'Nguyen', 'Okafor', 'Kowalski', 'Rossi', 'Dubois', 'Martin', 'García',
              'Schmidt', 'Jansen', 'Larsen', 'Novák', 'Murphy', 'Walsh', 'Campbell', 'Khan', 'Ahmed', 'Moreau',
              'Lefèvre', 'Bianchi', 'Silva', 'Costa', 'Andersson', 'Nielsen', 'Horváth', 'Popescu', 'Yamamoto',
              'Tanaka', 'Chen', 'Wong', 'Singh', 'Mensah', 'Adeyemi', 'Fischer', 'Weber', 'Müller', 'Øster')
# Weighted like a contact center's address book: a few large providers and many company domains.
PROVIDERS = (('gmail.com', 25), ('outlook.com', 10), ('yahoo.com', 6), ('hotmail.co.uk', 5), ('web.de', 4),
             ('orange.fr', 4), ('icloud.com', 4), ('gmx.net', 3))
COMPANY_WORDS = ('acme', 'northwind', 'globex', 'initech', 'umbrella', 'stark', 'wayne', 'tyrell', 'cyberdyne',
                 'soylent', 'hooli', 'vandelay', 'wonka', 'oceanic', 'massive', 'dynamic', 'pied', 'piper')
COMPANY_SUFFIXES = ('logistics', 'bank', 'insurance', 'energy', 'telecom', 'retail', 'health', 'travel')
TLDS = ('com', 'co.uk', 'de', 'fr', 'nl', 'it', 'es', 'net', 'org')
CATEGORIES = ('Customers', 'Suppliers', 'Partners', 'Escalations', 'Internal', 'Billing', 'VIP')
PREFERENCES = ('layout.theme', 'layout.density', 'voice.auto-answer', 'voice.ring-volume', 'chat.sound',
               'notifications.desktop', 'contact.default-view', 'statistics.refresh-seconds', 'language')
PREFERENCE_VALUES = ('true', 'false', 'dark', 'light', 'compact', '15', '30', 'en-GB', 'fr-FR', 'de-DE')

FAVORITES = 'interaction-workspace-personal-favorites'
RECENTS = 'interaction-workspace-recents'
WORKSPACE = 'interaction-workspace'
ROWS_PER_AGENT = 40


class Generator:
    """Deterministic fake address-book data from one random.Random."""

    def __init__(self, rng):
        self.rng = rng
        self.domains = [domain for domain, weight in PROVIDERS for _unused in range(weight)]
        for _unused in range(len(self.domains)):
            self.domains.append('%s-%s.%s' % (rng.choice(COMPANY_WORDS), rng.choice(COMPANY_SUFFIXES), rng.choice(TLDS)))

    def digits(self, count):
        return ''.join(self.rng.choice('0123456789') for _unused in range(count))

    def phone(self):
        """Return a phone number in one of the written forms of four countries; it need not be valid."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.35:
            area, line = '20 ' + self.digits(4), self.digits(4)
            return rng.choice(('+44 %s %s', '0%s %s', '+44%s%s')) % (area, line) if draw < 0.2 else \
                rng.choice(('+44 7%s %s', '07%s %s')) % (self.digits(3), self.digits(6))
        if draw < 0.65:
            area, exchange, line = '2' + self.digits(2), '5' + self.digits(2), self.digits(4)
            return rng.choice(('+1 (%s) %s-%s', '+1 %s-%s-%s', '+1%s%s%s')) % (area, exchange, line)
        if draw < 0.85:
            pairs = ' '.join(self.digits(2) for _unused in range(4))
            return rng.choice(('+33 6 %s', '06 %s')) % pairs
        return rng.choice(('+49 30 %s', '030 %s')) % self.digits(8)

    def person(self):
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def email(self, first, last):
        local = '%s.%s' % (_ascii(first), _ascii(last))
        if self.rng.random() < 0.5:
            local += str(self.rng.randrange(1, 1000))
        return '%s@%s' % (local.lower(), self.rng.choice(self.domains))

    def timestamp(self):
        parts = (self.rng.randrange(1, 13), self.rng.randrange(1, 29), self.rng.randrange(24),
                 self.rng.randrange(60), self.rng.randrange(60), self.rng.randrange(1000))
        return '2025-%02d-%02dT%02d:%02d:%02d.%03dZ' % parts

    def key(self, prefix):
        return '%s%012x' % (prefix, self.rng.getrandbits(48))


def _ascii(name):
    table = str.maketrans({'é': 'e', 'è': 'e', 'ë': 'e', 'á': 'a', 'í': 'i', 'ó': 'o', 'ú': 'u', 'ü': 'ue',
                           'ø': 'o', 'Ø': 'O', 'ł': 'l'})
    return name.translate(table).encode('ascii', 'ignore').decode('ascii')


def make_subjects(rng, count):
    """Return `count` synthetic subjects: half e-mail addresses, half valid phone numbers in E.164."""
    import phonenumbers  # pylint: disable=import-outside-toplevel

    generator = Generator(rng)
    subjects = []
    for index in range(count - count // 2):
        first, last = generator.person()
        local = 'customer.%s.%s%d' % (_ascii(first).lower(), _ascii(last).lower(), index)
        subjects.append({'kind': 'email', 'value': '%s@%s' % (local, rng.choice(generator.domains))})
    templates = (('GB', '+44 20 %s %s', (4, 4)), ('GB', '+44 7700 %s', (6,)), ('US', '+1 202 %s %s', (3, 4)),
                 ('FR', '+33 6 %s', (8,)), ('DE', '+49 30 %s', (8,)))
    seen = set()
    while len(subjects) < count:
        region, template, groups = rng.choice(templates)
        text = template % tuple(generator.digits(size) for size in groups)
        number = phonenumbers.parse(text, None)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) and e164 not in seen:
            seen.add(e164)
            subjects.append({'kind': 'phone', 'value': e164, 'region': region,
                             'national': phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
                             'international': phonenumbers.format_number(
                                 number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)})
    return subjects


def written_form(rng, subject):
    """Return the subject as an agent or a client could have stored it."""
    if subject['kind'] == 'email':
        value = subject['value']
        return rng.choice((value, value.upper(), 'mailto:' + value, value.title()))
    return rng.choice((subject['value'], subject['international'], 'tel:' + subject['value'],
                       subject['international'].replace(' ', '.'), subject['national']))


class Rows:
    """Stream (owner_id, group, key, value text) rows and count the rows that contain each subject."""

    def __init__(self, rng, subjects, subject_share):
        self.rng = rng
        self.gen = Generator(rng)
        self.subjects = subjects
        self.subject_share = subject_share
        self.rows_with_subject = [0] * len(subjects)
        self.default_region_of = {}

    def _subject_text(self):
        """Return the written form of a random subject of the pool for 1 row in 1/subject_share, else None."""
        if self.rng.random() >= self.subject_share:
            return None
        index = self.rng.randrange(len(self.subjects))
        self.rows_with_subject[index] += 1
        return written_form(self.rng, self.subjects[index])

    def row(self):
        rng, gen = self.rng, self.gen
        planted = self._subject_text()
        draw = rng.random()
        if draw < 0.5:
            first, last = gen.person()
            phones = [gen.phone() for _unused in range(rng.choice((1, 1, 2, 3)))]
            emails = [gen.email(first, last) for _unused in range(rng.choice((0, 1, 1, 2)))]
            if planted:
                (emails if '@' in planted else phones).append(planted)
            key = gen.key('fav-')
            value = {'name': key, 'displayName': '%s %s' % (first, last), 'firstName': first, 'lastName': last,
                     'phoneNumbers': phones, 'emailAddresses': emails, 'category': rng.choice(CATEGORIES),
                     'company': '%s %s' % (rng.choice(COMPANY_WORDS).title(), rng.choice(COMPANY_SUFFIXES).title()),
                     'lastModified': gen.timestamp()}
            return FAVORITES, key, value
        if draw < 0.85:
            key = gen.key('rec-')
            if planted:
                target = planted
            elif rng.random() < 0.75:
                target = gen.phone()
            else:
                target = 'mailto:' + gen.email(*gen.person())
            value = {'id': key, 'target': target, 'media': 'email' if '@' in target else 'voice',
                     'timestamp': gen.timestamp(), 'durationSeconds': rng.randrange(3600)}
            return RECENTS, key, value
        if draw < 0.98 and not planted:
            key = '%s.%d' % (rng.choice(PREFERENCES), rng.randrange(1000))
            return WORKSPACE, key, {'name': key, 'value': rng.choice(PREFERENCE_VALUES)}
        # A layout setting that keeps JSON inside a string, as some Workspace extensions do.
        key = gen.key('layout-')
        columns = [{'id': 'col-%d' % index, 'width': rng.randrange(40, 400), 'visible': rng.random() < 0.8,
                    'label': rng.choice(FIRST_NAMES)} for index in range(rng.randrange(8, 20))]
        inner = {'columns': columns, 'sort': 'timestamp', 'lastCall': planted or gen.phone()}
        return WORKSPACE, key, {'name': key, 'value': json.dumps(inner, ensure_ascii=False)}


def create_keyspace(session, keyspace, schema_path):
    """Create the keyspace and the lab's settings table in it (dropping an older copy)."""
    session.execute('DROP KEYSPACE IF EXISTS %s' % keyspace, timeout=120)
    session.execute("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
                    % keyspace, timeout=60)
    text = Path(schema_path).read_text()
    start = text.index('CREATE TABLE IF NOT EXISTS sipfs.settings')
    statement = text[start:text.index(';', start)].replace('sipfs.', keyspace + '.')
    session.execute(statement, timeout=60)


def load(session, keyspace, rows, subjects, random_seed=42, subject_share=0.01, work_dir=None, concurrency=48):
    """Write `rows` settings rows and return a manifest with counts; subjects go to work_dir/subjects.json."""
    from cassandra.concurrent import execute_concurrent  # pylint: disable=import-outside-toplevel
    from cassandra.query import BatchStatement, BatchType  # pylint: disable=import-outside-toplevel

    # The rows get their own random sequence: reusing the subjects' sequence would repeat their digits.
    rng = random.Random('rows-%d' % random_seed)
    insert = session.prepare('INSERT INTO %s.settings (scope, owner_id, group_name, setting_key, value) '
                             'VALUES (?, ?, ?, ?, ?)' % keyspace)
    source = Rows(rng, subjects, subject_share)
    stats = {'rows': 0, 'bytes': 0}

    def statements():
        written = 0
        while written < rows:
            owner_id = '%032x' % rng.getrandbits(128)
            batch = BatchStatement(batch_type=BatchType.UNLOGGED)
            used = set()
            for _unused in range(min(ROWS_PER_AGENT, rows - written)):
                group, key, value = source.row()
                if (group, key) in used:
                    continue
                used.add((group, key))
                text = json.dumps(value, ensure_ascii=False)
                stats['bytes'] += len(text.encode('utf-8'))
                batch.add(insert, ('user', owner_id, group, key, text))
                written += 1
            stats['rows'] = written
            yield batch, None

    started = time.monotonic()
    results = execute_concurrent(session, statements(), concurrency=concurrency, raise_on_first_error=True,
                                 results_generator=True)
    for _unused in results:
        pass
    seconds = time.monotonic() - started
    manifest = {
        'keyspace': keyspace,
        'rows': stats['rows'],
        'mean_value_bytes': round(stats['bytes'] / max(stats['rows'], 1)),
        'subject_share': subject_share,
        'rows_with_subjects': sum(source.rows_with_subject),
        'random_seed': random_seed,
        'seconds': round(seconds, 1),
    }
    if work_dir is not None:
        path = Path(work_dir) / 'subjects.json'
        path.write_text(json.dumps({'subjects': subjects, 'rows_with_subject': source.rows_with_subject}))
        path.chmod(0o600)
    LOG.info('wrote %d rows (mean value %d bytes, %d with a subject) to %s in %.1f s', stats['rows'],
             manifest['mean_value_bytes'], manifest['rows_with_subjects'], keyspace, seconds)
    return manifest
