-- One batch of realistic tickets, generated and inserted by one set-based statement.
-- $1: how many; $2: over how many days before $3 (now) their creation times spread, uniformly.
-- Texts come from per-category templates (a title and the matching description), filled with
-- per-ticket details; the description adds optional sentences and a note matching the priority.
-- Statuses follow age: recent tickets are mostly open, old ones mostly resolved or closed.
-- Company names (30 × 30 combinations, in about a third of descriptions) give searches with few
-- matches; common words ("password", "invoice") give searches with many.
WITH vocab AS (
    SELECT
        ARRAY['the dashboard', 'reports', 'the calendar', 'notifications', 'search', 'file uploads',
              'the mobile app', 'integrations', 'the editor', 'analytics', 'time tracking',
              'the shared inbox'] AS features,
        ARRAY['Android', 'iOS', 'Windows', 'macOS', 'Linux', 'Chrome', 'Firefox', 'Safari'] AS platforms,
        ARRAY['Starter', 'Team', 'Business', 'Enterprise'] AS plans,
        ARRAY['project', 'invoice', 'contact', 'report', 'task', 'comment'] AS objects,
        ARRAY['CSV', 'PDF', 'Excel', 'JSON'] AS formats,
        ARRAY['yesterday', 'this morning', 'last week', 'the last update', 'Monday', 'two days ago'] AS whens,
        ARRAY['Iron', 'Bright', 'Silver', 'North', 'Blue', 'Stone', 'Red', 'Oak', 'Clear', 'Swift',
              'Green', 'Golden', 'Falcon', 'Maple', 'Cedar', 'River', 'Summit', 'Harbor', 'Pine',
              'Copper', 'Lumen', 'Quartz', 'Willow', 'Ember', 'Orchid', 'Juniper', 'Cobalt',
              'Saffron', 'Tundra', 'Zephyr'] AS company_heads,
        ARRAY['leaf', 'water', 'field', 'gate', 'works', 'bridge', 'point', 'forge', 'wave', 'line',
              'stack', 'dale', 'crest', 'mark', 'path', 'ridge', 'light', 'brook', 'vale', 'haven',
              'wick', 'mont', 'spire', 'hollow', 'fold', 'quay', 'thorne', 'moor', 'loft', 'nest'] AS company_tails,
        ARRAY['Anna', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas',
              'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara',
              'Umar', 'Vera', 'Wei', 'Yara', 'Zoe'] AS names,
        ARRAY['Hello,', 'Hi team,', 'Good morning,', 'Hi there,', 'Dear support,', 'Hey,'] AS greetings,
        ARRAY['Thanks,', 'Best regards,', 'Cheers,', 'Thank you,', 'Kind regards,'] AS signoffs,
        ARRAY['Charged twice for my {plan} subscription', 'Refund request for invoice {inv}',
              'Invoice {inv} shows the wrong amount', 'Cannot update my payment card',
              'Question about {plan} plan pricing', 'VAT number missing on invoice {inv}',
              'Payment failed on renewal', 'Need a copy of last month''s receipt'] AS billing_titles,
        ARRAY['{Feature} not loading', 'Error {code} when saving a {object}',
              '{Feature} is very slow since the last update', 'App crashes on {platform}',
              'Sync stopped working on {platform}', 'Export to {format} produces an empty file',
              'Webhook deliveries failing with HTTP {http}', 'API returns {http} for {object} requests'] AS technical_titles,
        ARRAY['Cannot log in to my account', 'Password reset email never arrives',
              'Please change the owner of our workspace', 'Two-factor codes rejected',
              'Add {n} seats for new team members', 'Delete my account and data',
              'Locked out after too many attempts', 'Change the email address on my account'] AS account_titles,
        ARRAY['Question about {feature}', 'Feature request: {feature} on {platform}',
              'Where can I find the documentation for {feature}?', 'Feedback on {feature}',
              'Do you offer training for new teams?', 'Partnership enquiry from {company}'] AS general_titles,
        ARRAY['I was charged {amount} twice this month for the {plan} plan.',
              'Could you refund invoice {inv}? We cancelled before the renewal date.',
              'Invoice {inv} lists {n} seats but we only have {m}.',
              'My card ending in {last4} expired and the form rejects the new one.',
              'We are comparing plans: what does {plan} include that Team does not?',
              'Our finance department needs every invoice to show our VAT number.',
              'The renewal payment failed although the card ending in {last4} works everywhere else.',
              'Our accountant needs the receipt for {amount} as a PDF.'] AS billing_bodies,
        ARRAY['When I open {feature} I get a spinner and then a blank page.',
              'Saving a {object} shows error {code} after a few seconds and nothing is saved.',
              'Loading {feature} takes more than {n} seconds since {when}.',
              'Since version 4.{n} the {platform} app closes as soon as I open {feature}.',
              'Changes made on {platform} no longer appear on my other devices since {when}.',
              'The {format} export only contains the header row.',
              'Our webhook endpoint has received nothing but HTTP {http} errors since {when}.',
              'The API answers HTTP {http} for every request to /{object}s.'] AS technical_bodies,
        ARRAY['I cannot sign in: it says my password is incorrect even right after a reset.',
              'The password reset email does not arrive; I checked the spam folder.',
              'Please transfer ownership of the workspace to a colleague, the previous admin left.',
              'The codes from my authenticator app are rejected since {when}.',
              'We need {n} more seats for new hires starting {when}.',
              'I would like my account and all my personal data deleted.',
              'I typed my password wrong a few times and now the account is locked.',
              'I changed jobs and need the login email moved to my new address.'] AS account_bodies,
        ARRAY['How does {feature} work for a team like ours?',
              'It would be great to have {feature} on {platform}, it is the one thing we miss.',
              'Where is the documentation for {feature}? The help centre link is broken.',
              'The new {feature} looks great, a few suggestions below.',
              'Do you offer onboarding sessions for teams of {n} people?',
              'We would like to talk about reselling the product to our clients.'] AS general_bodies,
        ARRAY['No rush, whenever you have a moment.', 'Not urgent at all.', 'Just a minor thing.'] AS low_notes,
        ARRAY['Could you take a look this week?', 'It is a bit annoying for the team.',
              'Thanks for checking.'] AS medium_notes,
        ARRAY['This is blocking part of our team, please look at it soon.',
              'Customers are starting to notice, we need a fix quickly.'] AS high_notes,
        ARRAY['URGENT: this is down in production for all of our users!',
              'Critical: we are losing revenue every minute this is broken.'] AS critical_notes
),
drawn AS (
    SELECT
        r.*,
        CASE WHEN r.r_cat < 0.25 THEN 'billing' WHEN r.r_cat < 0.65 THEN 'technical'
             WHEN r.r_cat < 0.85 THEN 'account' ELSE 'general' END AS category,
        CASE WHEN r.r_pri < 0.25 THEN 'low' WHEN r.r_pri < 0.70 THEN 'medium'
             WHEN r.r_pri < 0.92 THEN 'high' ELSE 'critical' END AS priority,
        -- Recent tickets are mostly still being worked on, old ones mostly done.
        CASE WHEN r.age_days < 2 THEN
                 CASE WHEN r.r_sta < 0.60 THEN 'open' WHEN r.r_sta < 0.90 THEN 'in_progress'
                      WHEN r.r_sta < 0.98 THEN 'resolved' ELSE 'closed' END
             WHEN r.age_days < 14 THEN
                 CASE WHEN r.r_sta < 0.20 THEN 'open' WHEN r.r_sta < 0.40 THEN 'in_progress'
                      WHEN r.r_sta < 0.75 THEN 'resolved' ELSE 'closed' END
             ELSE
                 CASE WHEN r.r_sta < 0.03 THEN 'open' WHEN r.r_sta < 0.05 THEN 'in_progress'
                      WHEN r.r_sta < 0.30 THEN 'resolved' ELSE 'closed' END
        END AS status
    FROM (
        SELECT random() AS r_cat, random() AS r_pri, random() AS r_sta,
               1 + floor(random() * 8)::int AS topic,
               age * $2::float8 AS age_days,
               $3::timestamptz - make_interval(secs => age * $2::float8 * 86400) AS created_at,
               $3::timestamptz - make_interval(secs => age * $2::float8 * 86400)
                   + make_interval(secs => least(age * $2::float8, 10) * 86400 * random()) AS updated_at
        FROM (SELECT random() AS age FROM generate_series(1, $1::int)) AS ages
        OFFSET 0
    ) AS r
),
texts AS (
    SELECT
        d.category, d.priority, d.status, d.created_at, d.updated_at,
        CASE d.category
            WHEN 'billing' THEN v.billing_titles[d.topic]
            WHEN 'technical' THEN v.technical_titles[d.topic]
            WHEN 'account' THEN v.account_titles[d.topic]
            ELSE v.general_titles[1 + (d.topic - 1) % 6]
        END AS title,
        concat_ws(' ',
            CASE WHEN random() < 0.8 THEN v.greetings[1 + floor(random() * 6)::int] END,
            CASE d.category
                WHEN 'billing' THEN v.billing_bodies[d.topic]
                WHEN 'technical' THEN v.technical_bodies[d.topic]
                WHEN 'account' THEN v.account_bodies[d.topic]
                ELSE v.general_bodies[1 + (d.topic - 1) % 6]
            END,
            CASE WHEN random() < 0.35 THEN 'We are a team of {m} people at {company}.' END,
            CASE WHEN random() < 0.30 THEN 'This started {when} and I am on {platform}.' END,
            CASE WHEN random() < 0.20 THEN 'I already tried logging out and in again and clearing the cache.' END,
            CASE d.priority
                WHEN 'low' THEN v.low_notes[1 + floor(random() * 3)::int]
                WHEN 'medium' THEN v.medium_notes[1 + floor(random() * 3)::int]
                WHEN 'high' THEN v.high_notes[1 + floor(random() * 2)::int]
                ELSE v.critical_notes[1 + floor(random() * 2)::int]
            END,
            v.signoffs[1 + floor(random() * 5)::int],
            v.names[1 + floor(random() * 25)::int]
        ) AS description,
        v.features[1 + floor(random() * 12)::int] AS feature,
        v.platforms[1 + floor(random() * 8)::int] AS platform,
        v.plans[1 + floor(random() * 4)::int] AS plan,
        v.objects[1 + floor(random() * 6)::int] AS object,
        v.formats[1 + floor(random() * 4)::int] AS format,
        v.whens[1 + floor(random() * 6)::int] AS happened,
        v.company_heads[1 + floor(random() * 30)::int] || v.company_tails[1 + floor(random() * 30)::int] AS company,
        (ARRAY['400', '403', '404', '409', '429', '500', '502', '503'])[1 + floor(random() * 8)::int] AS http,
        'E' || (1000 + floor(random() * 9000)::int) AS code,
        'INV-' || (100000 + floor(random() * 900000)::int) AS inv,
        (2 + floor(random() * 30)::int)::text AS n,
        (2 + floor(random() * 200)::int)::text AS m,
        '$' || (9 + floor(random() * 990)::int) || '.00' AS amount,
        lpad(floor(random() * 10000)::int::text, 4, '0') AS last4
    FROM drawn AS d, vocab AS v
    OFFSET 0
),
filled AS (
    SELECT t.category, t.priority, t.status, t.created_at, t.updated_at,
           replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
           replace(replace(replace(replace(replace(
               t.title || E'\x1f' || t.description,
               '{Feature}', upper(left(t.feature, 1)) || substr(t.feature, 2)),
               '{feature}', t.feature), '{platform}', t.platform), '{plan}', t.plan),
               '{object}', t.object), '{format}', t.format), '{when}', t.happened),
               '{company}', t.company), '{http}', t.http), '{code}', t.code), '{inv}', t.inv),
               '{n}', t.n), '{m}', t.m), '{amount}', t.amount), '{last4}', t.last4) AS text
    FROM texts AS t
)
INSERT INTO tickets (title, description, category, priority, status, created_at, updated_at)
SELECT split_part(f.text, E'\x1f', 1), split_part(f.text, E'\x1f', 2),
       f.category, f.priority, f.status, f.created_at, f.updated_at
FROM filled AS f
