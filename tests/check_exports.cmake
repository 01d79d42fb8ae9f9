# check_exports.cmake - fails unless the shared library LIB exports exactly the functions declared
# in HEADER: nothing outside shmlog_*, nothing shmlog.h does not declare (libshmlog.map lists
# exports by name), and nothing shmlog.h declares missing.
#   cmake -DLIB=libshmlog.so -DNM=nm -DHEADER=shmlog.h -P check_exports.cmake

foreach(v LIB NM HEADER)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "check_exports.cmake: -D${v}=... missing")
	endif()
endforeach()

# Functions the header declares: drop comments and preprocessor lines (macros such as
# shmlog_info() are not symbols), then take every shmlog_name followed by "(".
file(READ ${HEADER} text)
string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " text "${text}")
string(REGEX REPLACE "//[^\n]*" " " text "${text}")
string(REGEX REPLACE "\\\\\n" " " text "${text}")
string(REGEX REPLACE "[][;]" " " text "${text}") # keep list splitting to newlines only
string(REPLACE "\n" ";" lines "${text}")
list(FILTER lines EXCLUDE REGEX "^[ \t]*#")
string(JOIN "\n" code ${lines})
string(REGEX MATCHALL "shmlog_[A-Za-z0-9_]+[ \t\n]*\\(" calls "${code}")
set(declared "")
foreach(c IN LISTS calls)
	string(REGEX REPLACE "[ \t\n]*\\($" "" c "${c}")
	list(APPEND declared ${c})
endforeach()
list(REMOVE_DUPLICATES declared)
list(SORT declared)

execute_process(COMMAND ${NM} -D --defined-only ${LIB}
	OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "${NM} -D ${LIB} failed: ${err}")
endif()
string(REPLACE "\n" ";" out "${out}")
set(exported "")
foreach(line IN LISTS out)
	# "0000000000001234 T name@@VERSION"; the version node itself is an absolute (A) symbol.
	if(line MATCHES "^[0-9a-fA-F]* +[^A ] +([^@ ]+)")
		list(APPEND exported ${CMAKE_MATCH_1})
	endif()
endforeach()
list(SORT exported)

set(stray ${exported})
list(FILTER stray EXCLUDE REGEX "^shmlog_")
set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
set(undeclared ${exported})
list(FILTER undeclared INCLUDE REGEX "^shmlog_")
list(REMOVE_ITEM undeclared ${declared})

list(LENGTH declared ndeclared)
list(LENGTH exported nexported)
message(STATUS "${ndeclared} functions declared in shmlog.h, ${nexported} symbols exported")
if(stray OR missing OR undeclared)
	list(JOIN stray " " stray)
	list(JOIN missing " " missing)
	list(JOIN undeclared " " undeclared)
	message(FATAL_ERROR "libshmlog.so exports do not match shmlog.h:\n"
		"  exported but not shmlog_*: ${stray}\n"
		"  exported but not declared in shmlog.h (remove it from libshmlog.map): ${undeclared}\n"
		"  declared in shmlog.h but not exported (not written yet, or static?): ${missing}")
endif()
