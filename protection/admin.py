"""Protection orders, their events and violations are not in the admin: they concern victims
(protected relatives, restrained defendants) and are read and changed only through the access
policy, on the pages and the API, by the services that keep their status, deadlines and
notifications consistent. Their history is kept by simple-history."""
