/* Reads each .ics file named on the command line with libical (the parser
 * of Evolution, GNOME Calendar and KDE) and prints one line per problem:
 * "FILE: problem". libical marks what it cannot accept with X-LIC-ERROR
 * properties, during parsing and in icalrestriction_check (RFC 5545's
 * and, with a METHOD, RFC 5546's rules). Exit 0 when every file is clean. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static char *read_all(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size) {
        free(text);
        text = NULL;
    }
    if (text != NULL)
        text[size] = '\0';
    fclose(file);
    return text;
}

static int report_errors(const char *path, icalcomponent *component)
{
    int found = 0;
    for (icalproperty *error = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY);
         error != NULL;
         error = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
        printf("%s: %s: %s\n", path, icalcomponent_kind_to_string(icalcomponent_isa(component)),
               icalproperty_get_xlicerror(error));
        found++;
    }
    for (icalcomponent *inner = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT);
         inner != NULL;
         inner = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        found += report_errors(path, inner);
    return found;
}

static int check(const char *path)
{
    char *text = read_all(path);
    if (text == NULL) {
        printf("%s: cannot be read\n", path);
        return 1;
    }
    icalcomponent *calendar = icalparser_parse_string(text);
    free(text);
    if (calendar == NULL) {
        printf("%s: not parsed at all\n", path);
        return 1;
    }
    if (icalcomponent_isa(calendar) != ICAL_VCALENDAR_COMPONENT) {
        printf("%s: the first component is not one VCALENDAR\n", path);
        icalcomponent_free(calendar);
        return 1;
    }
    int problems = 0;
    if (icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT) == NULL) {
        printf("%s: VCALENDAR: no component (RFC 5545 wants at least one)\n", path);
        problems++;
    }
    if (!icalrestriction_check(calendar) && icalcomponent_count_errors(calendar) == 0) {
        printf("%s: icalrestriction_check failed\n", path);
        problems++;
    }
    /* icalrestriction_check stops at the first component that fails: check
     * each one too, so that every problem is listed. */
    problems += report_errors(path, calendar);
    icalcomponent_free(calendar);
    return problems;
}

int main(int argc, char **argv)
{
    int problems = 0;
    for (int i = 1; i < argc; i++)
        problems += check(argv[i]);
    return problems == 0 ? 0 : 1;
}
