\set i random(1, :keys)
SELECT p.name, p.id_number, ce.cert_no, ce.cert_type, COALESCE(o.name, '') AS occ, ce.skill_level,
       ce.issue_date, COALESCE(i.name, ce.issuer_code) AS issuer
FROM bench_lookup_keys k
JOIN certificates ce ON ce.cert_no = k.cert_no
JOIN persons p ON p.person_id = ce.person_id AND p.name = k.name
LEFT JOIN occupations o ON o.code = ce.occupation_code
LEFT JOIN institutions i ON i.credit_code = ce.issuer_code
WHERE k.i = :i
ORDER BY ce.issue_date, ce.cert_no LIMIT 20;
